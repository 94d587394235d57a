namespace ImageDedup.ProcessHost;

/// <summary>
/// A seekable stream whose last byte changes once it has been read to the end: content larger than
/// one chunk is read again for its blob write, and this one then no longer matches its digest, so
/// its write fails after its pending row exists — the path that undoes a batch item.
/// </summary>
internal sealed class ChangingStream(byte[] content) : Stream
{
    private readonly byte[] _content = (byte[])content.Clone();
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => _content.Length;

    public override long Position
    {
        get => _position;
        set => _position = value;
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = (int)Math.Min(count, _content.Length - _position);
        Array.Copy(_content, _position, buffer, offset, n);
        _position += n;
        if (n == 0)
        {
            _content[^1] ^= 0xFF;
        }

        return n;
    }

    public override long Seek(long offset, SeekOrigin origin)
        => _position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => _content.Length + offset,
        };

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
