using Amazon.S3;
using Amazon.S3.Model;
using ImageDedup.Storage;
using Microsoft.Extensions.Logging;

namespace ImageDedup.S3;

/// <summary>
/// Uploads a blob above the multipart threshold part by part, one part in memory at a time, each
/// part with its own SHA-256 checksum (and signed payload hash), the whole content's digest kept as
/// <c>x-amz-meta-sha256</c>. Any failure or cancellation — including the content stream throwing
/// <see cref="ContentIntegrityException"/> on its last read — aborts the upload, so no object
/// appears under the key, and the failure propagates.
/// </summary>
internal sealed class MultipartUpload(IAmazonS3 client, S3UploadSettings settings, FailedWriteCleanup cleanup, ILogger logger)
{
    public async Task UploadAsync(string key, string objectKey, Stream content, BlobMetadata metadata, CancellationToken cancellationToken)
    {
        var partSize = settings.PartSizeFor(metadata.Length);
        var create = new InitiateMultipartUploadRequest
        {
            BucketName = settings.BucketName,
            Key = objectKey,
            ContentType = metadata.ContentType,
            ChecksumAlgorithm = ChecksumAlgorithm.SHA256,
        };
        create.Metadata[S3UploadSettings.Sha256MetadataName] = metadata.Digest.Hex;
        var started = await client.InitiateMultipartUploadAsync(create, cancellationToken).ConfigureAwait(false);
        var uploadId = started.UploadId;
        S3Log.MultipartStarted(logger, uploadId, key, metadata.Length, partSize);

        var completing = false;
        try
        {
            var parts = await UploadPartsAsync(key, objectKey, uploadId, content, metadata.Length, partSize, cancellationToken).ConfigureAwait(false);
            completing = true;
            await client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = settings.BucketName,
                Key = objectKey,
                UploadId = uploadId,
                PartETags = parts,
            }, cancellationToken).ConfigureAwait(false);
            S3Log.MultipartCompleted(logger, uploadId, key, parts.Count);
        }
        catch (Exception ex)
        {
            await cleanup.AbortAsync(key, objectKey, uploadId, ex).ConfigureAwait(false);
            if (completing)
            {
                // The completion may have gone through before the failure surfaced.
                await cleanup.DeleteObjectAsync(key, objectKey, ex).ConfigureAwait(false);
            }

            throw;
        }
    }

    private async Task<List<PartETag>> UploadPartsAsync(string key, string objectKey, string uploadId, Stream content, long length, long partSize, CancellationToken cancellationToken)
    {
        var parts = new List<PartETag>();
        using var buffer = new ContentBuffer(Math.Min(partSize, length));
        var sent = 0L;
        for (var number = 1; sent < length; number++)
        {
            var size = (int)Math.Min(partSize, length - sent);
            await buffer.FillAsync(content, size, sent, length, cancellationToken).ConfigureAwait(false);
            if (sent + size == length)
            {
                await ContentBuffer.EnsureEndedAsync(content, length, cancellationToken).ConfigureAwait(false);
            }

            var sha256 = buffer.Sha256();
            var checksum = Convert.ToBase64String(sha256);
            using var body = buffer.OpenRead();
            var request = new UploadPartRequest
            {
                BucketName = settings.BucketName,
                Key = objectKey,
                UploadId = uploadId,
                PartNumber = number,
                PartSize = size,
                InputStream = body,
                ChecksumAlgorithm = ChecksumAlgorithm.SHA256,
                ChecksumSHA256 = checksum,
                UseChunkEncoding = settings.UseChunkEncoding,
                IsLastPart = sent + size == length,
            };

            var response = await client.UploadPartAsync(request, cancellationToken).ConfigureAwait(false);
            parts.Add(new PartETag { PartNumber = number, ETag = response.ETag, ChecksumSHA256 = checksum });
            S3Log.PartUploaded(logger, number, size, uploadId);
            sent += size;
        }

        buffer.Release();
        return parts;
    }
}
