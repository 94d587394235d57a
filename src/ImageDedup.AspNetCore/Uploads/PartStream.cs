namespace ImageDedup.AspNetCore.Uploads;

/// <summary>
/// One multipart part as a forward-only stream. The multipart reader reports a body that ends
/// before its closing boundary as a plain <see cref="IOException"/>, which would read like a disk
/// failure; here it becomes <see cref="InvalidDataException"/>, the client's fault. Forward-only
/// also keeps the engine from seeking within the part, which the reader supports only loosely.
/// </summary>
internal sealed class PartStream(Stream part, CancellationToken requestAborted) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return await part.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex) when (ex is not Microsoft.AspNetCore.Http.BadHttpRequestException && !ClientGone.Explains(ex, requestAborted))
        {
            throw new InvalidDataException("The multipart body ended before the part's closing boundary.", ex);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // The engine reads asynchronously; Kestrel forbids synchronous body reads anyway.
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Read the part asynchronously.");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
