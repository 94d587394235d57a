using Microsoft.Extensions.Logging;

namespace ImageDedup.Engine;

/// <summary>The log messages of batch ingest (event ids 200–219).</summary>
internal static partial class BatchIngestLog
{
    [LoggerMessage(200, LogLevel.Debug, "Group commit in scope '{Scope}': {Items} items, {Duplicates} found stored, {Stored} stored new, {Failed} failed")]
    public static partial void GroupCommitted(ILogger logger, string scope, int items, int duplicates, int stored, int failed);

    [LoggerMessage(201, LogLevel.Warning, "A group commit of {Count} new originals in scope '{Scope}' failed before going live; its pending originals are undone")]
    public static partial void GroupAbandoned(ILogger logger, Exception exception, int count, string scope);

    [LoggerMessage(202, LogLevel.Error, "Could not undo the {Count} pending originals of a failed group commit; reconcile removes them")]
    public static partial void GroupCleanupFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(203, LogLevel.Information, "Batch ingest in scope '{Scope}' ended: {Items} items, {Failed} failed, {Groups} group commits")]
    public static partial void Finished(ILogger logger, string scope, long items, long failed, int groups);
}
