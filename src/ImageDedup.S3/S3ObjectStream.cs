using Amazon.Runtime;
using Amazon.S3.Model;

namespace ImageDedup.S3;

/// <summary>
/// The body of a <c>GetObject</c> response, streamed straight from the connection. Disposing it
/// disposes the response, which returns the connection.
/// </summary>
/// <remarks>
/// The SDK checks the body against the checksum (or MD5 ETag) the server reports only when its
/// stream is closed, and throws from there. This stream closes it as soon as the last byte has
/// been read, so a mismatch surfaces as <see cref="ContentIntegrityException"/> from that last
/// read, as the blob-store contract says, and never from <see cref="Dispose(bool)"/>. A body that
/// ends early throws <see cref="ContentIntegrityException"/> too.
/// </remarks>
internal sealed class S3ObjectStream(GetObjectResponse response, string key, long length) : Stream
{
    private readonly Stream _body = response.ResponseStream;
    private long _position;
    private bool _checked;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    /// <summary>The number of bytes the response carries.</summary>
    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Count(_body.Read(buffer, offset, count));

    public override int Read(Span<byte> buffer) => Count(_body.Read(buffer));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        => Count(await _body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

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
            CloseBodyQuietly();
            response.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Count(int read)
    {
        _position += read;
        if (_checked)
        {
            return read;
        }

        if (_position >= length)
        {
            CheckAtEnd();
        }
        else if (read == 0)
        {
            _checked = true;
            throw new ContentIntegrityException($"The body of blob '{key}' ended after {_position} bytes; {length} were expected.");
        }

        return read;
    }

    private void CheckAtEnd()
    {
        _checked = true;
        try
        {
            _body.Dispose();
        }
        catch (AmazonClientException ex)
        {
            throw new ContentIntegrityException($"The bytes of blob '{key}' do not match the checksum the server stored for them: {ex.Message}", ex);
        }
    }

    private void CloseBodyQuietly()
    {
        try
        {
            _body.Dispose();
        }
        catch (AmazonClientException)
        {
            // Only a partly read body gets here (a fully read one was checked at its end); what
            // was not read cannot be judged, and disposing must not throw.
        }
    }
}
