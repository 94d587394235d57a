namespace ImageDedup.Testing.Content;

/// <summary>
/// Wraps a stream so that it cannot seek and hands out at most <paramref name="maxChunk"/> bytes a
/// read, like a network body. Optionally calls <paramref name="onRead"/> after each read (to cancel
/// half-way, for example).
/// </summary>
public sealed class NonSeekableStream(Stream inner, int maxChunk = int.MaxValue, Action<long>? onRead = null) : Stream
{
    private long _position;

    /// <inheritdoc/>
    public override bool CanRead => true;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override bool CanWrite => false;

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    /// <summary>Wraps a byte array.</summary>
    public static NonSeekableStream Over(byte[] content, int maxChunk = int.MaxValue, Action<long>? onRead = null)
        => new(new MemoryStream(content, writable: false), maxChunk, onRead);

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer[..Math.Min(buffer.Length, maxChunk)]);
        _position += n;
        onRead?.Invoke(_position);
        return n;
    }

    /// <inheritdoc/>
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var n = await inner.ReadAsync(buffer[..Math.Min(buffer.Length, maxChunk)], cancellationToken);
        _position += n;
        onRead?.Invoke(_position);
        return n;
    }

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override void Flush()
    {
    }

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
