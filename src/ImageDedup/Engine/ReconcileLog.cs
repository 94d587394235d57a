using Microsoft.Extensions.Logging;

namespace ImageDedup.Engine;

internal static partial class ReconcileLog
{
    [LoggerMessage(20, LogLevel.Information, "Removed pending original {OriginalId}: its ingest never finished")]
    public static partial void PendingRemoved(ILogger logger, Guid originalId);

    [LoggerMessage(21, LogLevel.Error, "Live original {OriginalId} has no blob at {StorageKey}; the row is kept and reported, never dropped")]
    public static partial void BlobMissing(ILogger logger, Guid originalId, string storageKey);

    [LoggerMessage(22, LogLevel.Information, "Deleted blob {StorageKey}: no row names it")]
    public static partial void RowlessBlobDeleted(ILogger logger, string storageKey);

    [LoggerMessage(23, LogLevel.Information, "Reconcile (dry run: {DryRun}): {Pending} pending removed, {Deletions} deletions finished, {Incomplete} abandoned writes")]
    public static partial void Finished(ILogger logger, bool dryRun, long pending, long deletions, long incomplete);

    [LoggerMessage(120, LogLevel.Debug, "Audit (dry run: {DryRun}) at {Cursor}: {Listed} blobs listed, {Checked} originals checked, {Rowless} row-less blobs, {Missing} missing blobs, {Requests} requests")]
    public static partial void AuditProgress(ILogger logger, bool dryRun, string? cursor, long listed, long @checked, long rowless, long missing, long requests);

    [LoggerMessage(121, LogLevel.Information, "Audit (dry run: {DryRun}) {Outcome}: {Listed} blobs listed, {Checked} originals checked, {Rowless} row-less blobs, {Missing} missing blobs, {Requests} requests")]
    public static partial void AuditFinished(ILogger logger, bool dryRun, string outcome, long listed, long @checked, long rowless, long missing, long requests);

    [LoggerMessage(24, LogLevel.Error, "Original {OriginalId} does not hash to its digest: expected {Expected}, found {Actual}")]
    public static partial void Corrupt(ILogger logger, Guid originalId, ContentDigest expected, ContentDigest actual);

    [LoggerMessage(25, LogLevel.Error, "Could not read the blob of original {OriginalId} at {StorageKey}; reported as {Finding} and the scrub goes on")]
    public static partial void Unreadable(ILogger logger, Exception exception, Guid originalId, string storageKey, string finding);
}
