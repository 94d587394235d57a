using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using ImageDedup.Shared;
using Microsoft.Extensions.Logging;

namespace ImageDedup.S3;

/// <summary>
/// Aborts the store's own multipart uploads that a crash left incomplete: their parts are billed
/// and invisible, and without a bucket lifecycle rule nothing else removes them. Only uploads under
/// the key prefix whose key is in the engine's format (<see cref="StorageKeys"/>) are touched —
/// another application's uploads in the same bucket, or under the same prefix, are left alone.
/// </summary>
/// <remarks>
/// Servers without multipart listing or abort (s3rver answers 501 and 405) are logged once per
/// store and skipped; a lifecycle rule (<c>AbortIncompleteMultipartUpload</c>) is the remedy there.
/// </remarks>
internal sealed class AbandonedUploads(IAmazonS3 client, string bucket, S3BlobKeys keys, TimeProvider time, ILogger logger)
{
    private const int ListingPageSize = 1000;

    private int _unsupportedLogged;

    /// <summary>Aborts the engine's uploads initiated more than <paramref name="olderThan"/> ago (this machine's clock).</summary>
    /// <returns>How many uploads were aborted.</returns>
    public async Task<int> AbortOlderThanAsync(TimeSpan olderThan, CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - olderThan;
        var request = new ListMultipartUploadsRequest { BucketName = bucket, Prefix = keys.Prefix + StorageKeys.Prefix, MaxUploads = ListingPageSize };
        var aborted = 0;
        while (true)
        {
            ListMultipartUploadsResponse response;
            try
            {
                response = await client.ListMultipartUploadsAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (AmazonS3Exception ex) when (IsUnsupported(ex))
            {
                LogUnsupported("ListMultipartUploads", ex);
                return aborted;
            }

            foreach (var upload in response.MultipartUploads ?? [])
            {
                if (keys.BlobKey(upload.Key) is not { } key || !StorageKeys.IsEngineKey(key) || S3Times.ToOffset(upload.Initiated) > cutoff)
                {
                    continue;
                }

                try
                {
                    await client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = bucket, Key = upload.Key, UploadId = upload.UploadId }, cancellationToken).ConfigureAwait(false);
                    S3Log.AbandonedUploadAborted(logger, upload.UploadId, key, S3Times.ToOffset(upload.Initiated));
                    aborted++;
                }
                catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchUpload" || ex.StatusCode == HttpStatusCode.NotFound)
                {
                    // Completed or aborted meanwhile.
                }
                catch (AmazonS3Exception ex) when (IsUnsupported(ex))
                {
                    LogUnsupported("AbortMultipartUpload", ex);
                    return aborted;
                }
            }

            if (response.IsTruncated != true)
            {
                return aborted;
            }

            request.KeyMarker = response.NextKeyMarker;
            request.UploadIdMarker = response.NextUploadIdMarker;
        }
    }

    private static bool IsUnsupported(AmazonS3Exception error)
        => error.StatusCode is HttpStatusCode.NotImplemented or HttpStatusCode.MethodNotAllowed || error.ErrorCode is "NotImplemented" or "MethodNotAllowed";

    private void LogUnsupported(string operation, AmazonS3Exception error)
    {
        if (Interlocked.Exchange(ref _unsupportedLogged, 1) == 0)
        {
            S3Log.MultipartCleanupUnsupported(logger, operation, (int)error.StatusCode, bucket, error);
        }
    }
}
