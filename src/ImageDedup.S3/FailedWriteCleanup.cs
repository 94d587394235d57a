using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;

namespace ImageDedup.S3;

/// <summary>
/// Undoes what a failed write may have left: an unfinished multipart upload, or an object whose
/// request failed only after the server stored it (a lost response). Keys are never reused, so
/// deleting one can never remove bytes that anyone else wrote. Runs without the caller's token
/// (a cancelled write must still be cleaned up) and never throws: the write's own exception is
/// what the caller sees (and logs), so a clean-up that succeeds, or finds nothing to undo, logs at
/// Debug; only one that really failed warns, and reconcile removes whatever it left.
/// </summary>
internal sealed class FailedWriteCleanup(IAmazonS3 client, string bucketName, ILogger logger)
{
    /// <summary>Deletes the object, logging instead of throwing when that fails too.</summary>
    public async Task DeleteObjectAsync(string key, string objectKey, Exception failure)
    {
        try
        {
            await client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucketName, Key = objectKey }, CancellationToken.None).ConfigureAwait(false);
            S3Log.WriteAbandoned(logger, key, failure);
        }
        catch (AmazonS3Exception ex) when (S3Errors.IsNoSuchBucket(ex))
        {
            // No bucket, so nothing was stored: the clean-up has nothing to do, and the write's own
            // exception (the caller logs it) says why it failed.
            S3Log.NothingToCleanUp(logger, key, ex);
        }
#pragma warning disable CA1031 // The write already fails with its own exception.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            S3Log.CleanupFailed(logger, key, ex);
        }
    }

    /// <summary>Aborts a multipart upload, logging a warning instead of throwing when that fails.</summary>
    public async Task AbortAsync(string key, string objectKey, string uploadId, Exception failure)
    {
        try
        {
            await client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = bucketName, Key = objectKey, UploadId = uploadId }, CancellationToken.None).ConfigureAwait(false);
            S3Log.MultipartAborted(logger, uploadId, key, failure);
        }
        catch (AmazonS3Exception ex) when (S3Errors.IsNoSuchBucket(ex) || ex.ErrorCode == "NoSuchUpload")
        {
            // The upload (or its bucket) is already gone, and its parts with it.
            S3Log.NothingToCleanUp(logger, key, ex);
        }
#pragma warning disable CA1031 // The write already fails with its own exception; a lifecycle rule removes the parts.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            S3Log.AbortFailed(logger, uploadId, key, ex);
        }
    }
}
