namespace ImageDedup.Testing.Content;

/// <summary>
/// A seekable stream whose bytes change after they have been read to the end once: a host stream
/// that is modified between the hashing pass and the blob write.
/// </summary>
public sealed class MutatingStream(byte[] content) : Stream
{
    private readonly byte[] _content = (byte[])content.Clone();
    private long _position;
    private bool _readToEnd;

    /// <inheritdoc/>
    public override bool CanRead => true;

    /// <inheritdoc/>
    public override bool CanSeek => true;

    /// <inheritdoc/>
    public override bool CanWrite => false;

    /// <inheritdoc/>
    public override long Length => _content.Length;

    /// <inheritdoc/>
    public override long Position
    {
        get => _position;
        set
        {
            if (_readToEnd)
            {
                // Someone else wrote to the source between the two reads.
                _content[^1] ^= 0xFF;
                _readToEnd = false;
            }

            _position = value;
        }
    }

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        var n = (int)Math.Min(buffer.Length, _content.Length - _position);
        _content.AsSpan((int)_position, n).CopyTo(buffer);
        _position += n;
        if (_position == _content.Length)
        {
            _readToEnd = true;
        }

        return n;
    }

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(Read(buffer.Span));

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => Task.FromResult(Read(buffer.AsSpan(offset, count)));

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => _content.Length + offset,
        };
        return _position;
    }

    /// <inheritdoc/>
    public override void Flush()
    {
    }

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
