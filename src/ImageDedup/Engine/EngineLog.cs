using Microsoft.Extensions.Logging;

namespace ImageDedup.Engine;

internal static partial class EngineLog
{
    [LoggerMessage(1, LogLevel.Debug, "Ingest in scope '{Scope}' found original {OriginalId} ({Digest}); nothing written")]
    public static partial void Duplicate(ILogger logger, string scope, Guid originalId, ContentDigest digest);

    [LoggerMessage(2, LogLevel.Information, "Stored original {OriginalId} ({Digest}, {Length} bytes, {ContentType}) in scope '{Scope}'")]
    public static partial void Stored(ILogger logger, Guid originalId, ContentDigest digest, long length, string contentType, string scope);

    [LoggerMessage(3, LogLevel.Debug, "Original {PendingId} lost the race for {Digest}; the holder now points at {WinnerId}")]
    public static partial void Superseded(ILogger logger, Guid pendingId, ContentDigest digest, Guid winnerId);

    [LoggerMessage(4, LogLevel.Information, "Deleted original {OriginalId} ({Reason})")]
    public static partial void Deleted(ILogger logger, Guid originalId, string reason);

    [LoggerMessage(5, LogLevel.Error, "Could not finish deleting original {OriginalId}; it stays claimed and reconcile will finish it")]
    public static partial void DeletionUnfinished(ILogger logger, Exception exception, Guid originalId);

    [LoggerMessage(6, LogLevel.Warning, "Ingest failed after original {OriginalId} was inserted; cleaning up")]
    public static partial void IngestAbandoned(ILogger logger, Exception exception, Guid originalId);

    [LoggerMessage(7, LogLevel.Error, "Could not clean up after the failed ingest of original {OriginalId}; reconcile will remove it after the grace period")]
    public static partial void CleanupFailed(ILogger logger, Exception exception, Guid originalId);

    [LoggerMessage(8, LogLevel.Information, "Garbage collection deleted {Count} orphans ({Bytes} bytes)")]
    public static partial void Collected(ILogger logger, long count, long bytes);

    [LoggerMessage(9, LogLevel.Warning, "Upload declared as '{Declared}' was detected as '{Detected}'; the detected type is stored")]
    public static partial void ContentTypeMismatch(ILogger logger, string declared, string detected);

    [LoggerMessage(10, LogLevel.Warning, "Restored the missing blob of original {OriginalId} at {StorageKey} from an upload of the same bytes")]
    public static partial void BlobRestored(ILogger logger, Guid originalId, string storageKey);

    [LoggerMessage(11, LogLevel.Error, "Could not restore the missing blob of original {OriginalId} at {StorageKey}; it stays marked missing")]
    public static partial void RestoreFailed(ILogger logger, Exception exception, Guid originalId, string storageKey);

    [LoggerMessage(12, LogLevel.Debug, "Structure of the {ContentType} upload ({Length} bytes): {Outcome}, {Detail}")]
    public static partial void StructureChecked(ILogger logger, string contentType, long length, ImageDedup.Ingest.Structure.StructureOutcome outcome, string detail);

    [LoggerMessage(13, LogLevel.Debug, "Could not delete blob {StorageKey} after the failed write of original {OriginalId}; the store undid its own write, and reconcile removes anything left")]
    public static partial void UnwrittenBlobNotDeleted(ILogger logger, Exception exception, Guid originalId, string storageKey);

    [LoggerMessage(106, LogLevel.Information, "Ingest in scope '{Scope}' refused: {Measure} quota {Limit}, usage {Usage}, the ingest adds {Requested}")]
    public static partial void QuotaExceeded(ILogger logger, string scope, string measure, long limit, long usage, long requested);
}
