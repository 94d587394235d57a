namespace ImageDedup.Testing.Content;

/// <summary>A read-only stream over bytes that throws after a given number of bytes have been read.</summary>
public sealed class FaultingStream(byte[] content, long failAfter, Func<Exception>? fault = null) : SynchronousReadStream
{
    private long _position;

    /// <summary>Bytes handed out so far.</summary>
    public long BytesRead => _position;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        if (_position >= failAfter)
        {
            throw fault?.Invoke() ?? new IOException("The connection was reset (injected fault).");
        }

        var n = (int)Math.Min(Math.Min(buffer.Length, content.Length - _position), failAfter - _position);
        content.AsSpan((int)_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
}
