using Microsoft.Extensions.Logging;

namespace ImageDedup.Engine;

/// <summary>The audit trail of takedowns: every purge and block-list change at Information, with who and why.</summary>
internal static partial class TakedownLog
{
    [LoggerMessage(140, LogLevel.Information, "Purge of {Target} in {Where} requested by {RequestedBy}: {Reason} (block: {Block})")]
    public static partial void PurgeRequested(ILogger logger, string target, string where, string requestedBy, string reason, bool block);

    [LoggerMessage(141, LogLevel.Information, "Purged original {OriginalId} ({Digest}) of scope '{Scope}': {Holders} holders released, bytes and row deleted; requested by {RequestedBy}: {Reason}")]
    public static partial void Purged(ILogger logger, Guid originalId, ContentDigest digest, string scope, long holders, string requestedBy, string reason);

    [LoggerMessage(142, LogLevel.Error, "Purge of original {OriginalId} released its holders but could not delete its {What}; it stays claimed (unreadable) and reconcile finishes it")]
    public static partial void PurgeUnfinished(ILogger logger, Exception? exception, Guid originalId, string what);

    [LoggerMessage(143, LogLevel.Information, "Blocked {Digest} in {Where}, requested by {RequestedBy}: {Reason}")]
    public static partial void Blocked(ILogger logger, ContentDigest digest, string where, string requestedBy, string reason);

    [LoggerMessage(144, LogLevel.Information, "Unblocked {Digest} in {Where} (an entry was there: {Removed}), requested by {RequestedBy}: {Reason}")]
    public static partial void Unblocked(ILogger logger, ContentDigest digest, string where, bool removed, string requestedBy, string reason);

    [LoggerMessage(145, LogLevel.Information, "Ingest in scope '{Scope}' refused: {Digest} is blocked in {Where} since {BlockedAt} ({Reason})")]
    public static partial void IngestRefused(ILogger logger, string scope, ContentDigest digest, string where, DateTimeOffset blockedAt, string reason);

    [LoggerMessage(146, LogLevel.Warning, "Reconcile released {Holders} holders of original {OriginalId}, whose purge was interrupted; the host was not told of them (run the purge again to get the report)")]
    public static partial void InterruptedPurgeReleased(ILogger logger, long holders, Guid originalId);

    /// <summary>How a log line names a scope, or every scope.</summary>
    public static string Where(string? scope) => scope is null ? "every scope" : $"scope '{scope}'";
}
