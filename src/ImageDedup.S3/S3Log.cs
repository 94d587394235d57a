using Microsoft.Extensions.Logging;

namespace ImageDedup.S3;

/// <summary>The S3 blob store's log messages.</summary>
internal static partial class S3Log
{
    [LoggerMessage(1, LogLevel.Debug, "Uploaded blob {Key} ({Length} bytes) to s3://{Bucket}/{ObjectKey} in one request")]
    public static partial void Uploaded(ILogger logger, string key, long length, string bucket, string objectKey);

    [LoggerMessage(2, LogLevel.Debug, "Started multipart upload {UploadId} of blob {Key} ({Length} bytes, parts of {PartSize} bytes)")]
    public static partial void MultipartStarted(ILogger logger, string uploadId, string key, long length, long partSize);

    [LoggerMessage(3, LogLevel.Debug, "Uploaded part {PartNumber} ({Length} bytes) of multipart upload {UploadId}")]
    public static partial void PartUploaded(ILogger logger, int partNumber, long length, string uploadId);

    [LoggerMessage(4, LogLevel.Debug, "Completed multipart upload {UploadId} of blob {Key} ({Parts} parts)")]
    public static partial void MultipartCompleted(ILogger logger, string uploadId, string key, int parts);

    [LoggerMessage(5, LogLevel.Debug, "Aborted multipart upload {UploadId} of blob {Key} after a failure")]
    public static partial void MultipartAborted(ILogger logger, string uploadId, string key, Exception failure);

    [LoggerMessage(6, LogLevel.Warning, "Could not abort multipart upload {UploadId} of blob {Key}; a bucket lifecycle rule (AbortIncompleteMultipartUpload) removes its parts later")]
    public static partial void AbortFailed(ILogger logger, string uploadId, string key, Exception exception);

    [LoggerMessage(7, LogLevel.Debug, "Write of blob {Key} failed; deleted whatever the server may have stored under it")]
    public static partial void WriteAbandoned(ILogger logger, string key, Exception failure);

    [LoggerMessage(8, LogLevel.Warning, "Could not delete blob {Key} after its write failed; reconcile removes it later")]
    public static partial void CleanupFailed(ILogger logger, string key, Exception exception);

    [LoggerMessage(9, LogLevel.Debug, "Opened blob {Key} for reading (range {Range}, {Length} bytes)")]
    public static partial void Opened(ILogger logger, string key, string range, long length);

    [LoggerMessage(10, LogLevel.Debug, "Deleted blob {Key}: existed {Existed}")]
    public static partial void Deleted(ILogger logger, string key, bool existed);

    [LoggerMessage(11, LogLevel.Debug, "Listed {Count} blobs under {Prefix} (page {Page})")]
    public static partial void Listed(ILogger logger, int count, string prefix, int page);

    [LoggerMessage(12, LogLevel.Debug, "Presigned a GET URL for blob {Key}, valid until {Expires}")]
    public static partial void Presigned(ILogger logger, string key, DateTimeOffset expires);

    [LoggerMessage(13, LogLevel.Information, "Claimed the blob store at {Location} for catalogue {CatalogueId}")]
    public static partial void OwnershipClaimed(ILogger logger, string location, Guid catalogueId);

    [LoggerMessage(14, LogLevel.Information, "Aborted abandoned multipart upload {UploadId} of blob {Key}, initiated {Initiated}")]
    public static partial void AbandonedUploadAborted(ILogger logger, string uploadId, string key, DateTimeOffset initiated);

    [LoggerMessage(15, LogLevel.Warning, "The S3 server does not implement {Operation} (HTTP {Status}); abandoned multipart uploads in bucket {Bucket} are not removed by reconcile, so add a lifecycle rule (AbortIncompleteMultipartUpload). Logged once.")]
    public static partial void MultipartCleanupUnsupported(ILogger logger, string operation, int status, string bucket, Exception exception);

    [LoggerMessage(20, LogLevel.Debug, "Read of the ownership marker at {Location} was torn by a concurrent write (attempt {Attempt}); reading again")]
    public static partial void OwnershipReadTorn(ILogger logger, string location, int attempt, Exception exception);

    [LoggerMessage(16, LogLevel.Debug, "Write of blob {Key} failed and left nothing to clean up")]
    public static partial void NothingToCleanUp(ILogger logger, string key, Exception exception);
}
