using ImageDedup.Storage;

namespace ImageDedup.Ingest;

/// <summary>
/// A read-only view of exactly <c>expectedLength</c> bytes of an inner stream that hashes them as
/// they pass and throws <see cref="ContentIntegrityException"/> when the last byte has been read
/// and the digest differs, or when the inner stream ends early. Readers that stop at the declared
/// length (an S3 upload) see the check as surely as readers that read to the end.
/// </summary>
internal sealed class DigestCheckingStream(Stream inner, IContentHash hash, ContentDigest expected, long expectedLength, bool leaveOpen) : Stream
{
    private long _position;
    private bool _verified;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => expectedLength;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        var wanted = Limit(buffer.Length);
        var read = wanted == 0 ? 0 : inner.Read(buffer[..wanted]);
        return Account(buffer[..read]);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        var wanted = Limit(buffer.Length);
        var read = wanted == 0 ? 0 : await inner.ReadAsync(buffer[..wanted], cancellationToken).ConfigureAwait(false);
        return Account(buffer.Span[..read]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            hash.Dispose();
            if (!leaveOpen)
            {
                inner.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    private int Limit(int requested) => (int)Math.Min(requested, expectedLength - _position);

    private int Account(ReadOnlySpan<byte> read)
    {
        if (read.Length > 0)
        {
            hash.Append(read);
            _position += read.Length;
        }

        if (_position == expectedLength)
        {
            Verify();
        }
        else if (read.Length == 0)
        {
            throw new ContentIntegrityException($"The content ended after {_position} bytes; {expectedLength} were expected.");
        }

        return read.Length;
    }

    private void Verify()
    {
        if (_verified)
        {
            return;
        }

        _verified = true;
        var actual = hash.Finish();
        if (actual != expected)
        {
            throw new ContentIntegrityException($"The content hashes to {actual}, not {expected}: it changed or was corrupted.");
        }
    }
}
