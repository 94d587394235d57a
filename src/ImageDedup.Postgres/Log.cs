using Microsoft.Extensions.Logging;

namespace ImageDedup.Postgres;

/// <summary>The PostgreSQL reference store's log messages: Debug for routine work, Information for migrations.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Applying ImageDedup schema version {Version} to schema {Schema}")]
    public static partial void ApplyingMigration(ILogger logger, int version, string schema);

    [LoggerMessage(2, LogLevel.Information, "ImageDedup schema {Schema} is at version {Version}")]
    public static partial void Migrated(ILogger logger, string schema, int version);

    [LoggerMessage(3, LogLevel.Debug, "ImageDedup schema {Schema} already at version {Version}")]
    public static partial void SchemaUpToDate(ILogger logger, string schema, int version);

    [LoggerMessage(4, LogLevel.Debug, "Inserted pending original {OriginalId} ({Digest}) in scope '{Scope}'")]
    public static partial void InsertedPending(ILogger logger, Guid originalId, string digest, string scope);

    [LoggerMessage(5, LogLevel.Debug, "Promoted pending original {PendingId}: holder now on {OriginalId} (superseded: {Superseded})")]
    public static partial void Promoted(ILogger logger, Guid pendingId, Guid originalId, bool superseded);

    [LoggerMessage(6, LogLevel.Debug, "Holder '{Holder}' in scope '{Scope}' points at {OriginalId} (added {Added}, displaced {DisplacedId})")]
    public static partial void Attached(ILogger logger, string? holder, string scope, Guid originalId, bool added, Guid? displacedId);

    [LoggerMessage(7, LogLevel.Debug, "Released holder '{Holder}' in scope '{Scope}': original {OriginalId}, {Count} references left, state {State}")]
    public static partial void Released(ILogger logger, string holder, string scope, Guid? originalId, long count, OriginalState? state);

    [LoggerMessage(8, LogLevel.Debug, "Released {Released} references under '{Prefix}' in scope '{Scope}'; {Orphaned} originals orphaned, {Claimed} claimed")]
    public static partial void PrefixReleased(ILogger logger, int released, string prefix, string scope, int orphaned, int claimed);

    [LoggerMessage(9, LogLevel.Debug, "Claimed {Count} orphaned originals for deletion")]
    public static partial void OrphansClaimed(ILogger logger, int count);

    [LoggerMessage(10, LogLevel.Debug, "Running in the host transaction; releases only record orphans, nothing is claimed")]
    public static partial void InHostTransaction(ILogger logger);

    [LoggerMessage(11, LogLevel.Debug, "Attached {Count} digests in scope '{Scope}' in one statement; {Found} had a live original")]
    public static partial void AttachedMany(ILogger logger, int count, string scope, int found);

    [LoggerMessage(12, LogLevel.Debug, "Inserted {Count} pending originals in one statement")]
    public static partial void InsertedPendingMany(ILogger logger, int count);

    [LoggerMessage(13, LogLevel.Debug, "Promoted {Count} pending originals in one statement; {Promoted} were still pending")]
    public static partial void PromotedMany(ILogger logger, int count, int promoted);

    [LoggerMessage(103, LogLevel.Information, "Counting the existing ImageDedup originals into the statistics counters")]
    public static partial void BackfillStarted(ILogger logger);

    [LoggerMessage(104, LogLevel.Information, "The ImageDedup statistics counters are complete ({Batches} batches counted)")]
    public static partial void BackfillCompleted(ILogger logger, int batches);

    [LoggerMessage(105, LogLevel.Warning, "Counting the existing ImageDedup originals into the statistics counters failed; the next statistics call tries again")]
    public static partial void BackfillFailed(ILogger logger, Exception exception);

    [LoggerMessage(106, LogLevel.Information, "Building index {Index} of ImageDedup schema {Schema} concurrently (a schema upgrade over existing rows)")]
    public static partial void BuildingIndex(ILogger logger, string index, string schema);

    [LoggerMessage(107, LogLevel.Information, "Index {Old} of ImageDedup schema {Schema} replaced by {New}")]
    public static partial void IndexReplaced(ILogger logger, string old, string @new, string schema);

    [LoggerMessage(108, LogLevel.Warning, "Building the upgraded indexes of ImageDedup schema {Schema} failed; the next start or MigrateAsync tries again")]
    public static partial void IndexUpgradeFailed(ILogger logger, Exception exception, string schema);

    [LoggerMessage(109, LogLevel.Information, "PostgreSQL chose this statement as a deadlock's victim (attempt {Attempt} of {Attempts}); it was rolled back whole and runs again")]
    public static partial void DeadlockRetried(ILogger logger, int attempt, int attempts);
}
