using Amazon.S3;
using Amazon.S3.Model;
using Amazon.Util;
using ImageDedup.Storage;
using Microsoft.Extensions.Logging;

namespace ImageDedup.S3;

/// <summary>
/// Uploads a blob up to the multipart threshold with one <c>PutObject</c>. The body is read into
/// memory first — so a short, long or corrupt content stream fails before anything is sent, and the
/// SDK can resend the body after a transient failure — and goes out with its SHA-256 twice: as
/// <c>x-amz-checksum-sha256</c> and, without chunk encoding, as the signed payload hash, so S3
/// stores nothing but these exact bytes.
/// </summary>
internal sealed class SingleRequestUpload(IAmazonS3 client, S3UploadSettings settings, FailedWriteCleanup cleanup, ILogger logger)
{
    public async Task UploadAsync(string key, string objectKey, Stream content, BlobMetadata metadata, CancellationToken cancellationToken)
    {
        using var buffer = new ContentBuffer(metadata.Length);
        await buffer.FillAsync(content, checked((int)metadata.Length), 0, metadata.Length, cancellationToken).ConfigureAwait(false);
        await ContentBuffer.EnsureEndedAsync(content, metadata.Length, cancellationToken).ConfigureAwait(false);

        using var body = buffer.OpenRead();
        var request = new PutObjectRequest
        {
            BucketName = settings.BucketName,
            Key = objectKey,
            InputStream = body,
            AutoCloseStream = false,
            ContentType = metadata.ContentType,
            ChecksumSHA256 = DigestEncoding.Base64(metadata.Digest),
            UseChunkEncoding = settings.UseChunkEncoding,
        };
        request.Headers.ContentLength = metadata.Length;
        request.Metadata[S3UploadSettings.Sha256MetadataName] = metadata.Digest.Hex;
        if (!settings.UseChunkEncoding)
        {
            // The payload hash S3 checks the body against; the SDK would otherwise hash the body again.
            request.Headers[HeaderKeys.XAmzContentSha256Header] = metadata.Digest.Hex;
        }

        try
        {
            await client.PutObjectAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The server may have stored the object before the failure (a lost response).
            await cleanup.DeleteObjectAsync(key, objectKey, ex).ConfigureAwait(false);
            throw;
        }

        buffer.Release();
        S3Log.Uploaded(logger, key, metadata.Length, settings.BucketName, objectKey);
    }
}
