using Microsoft.Extensions.Logging;

namespace ImageDedup.Sqlite;

/// <summary>The SQLite reference store's source-generated log messages (event ids 100-119: statistics counters).</summary>
internal static partial class SqliteLog
{
    [LoggerMessage(100, LogLevel.Information, "Counting the existing ImageDedup originals into the statistics counters")]
    public static partial void BackfillStarted(ILogger logger);

    [LoggerMessage(101, LogLevel.Information, "The ImageDedup statistics counters are complete ({Batches} batches counted)")]
    public static partial void BackfillCompleted(ILogger logger, int batches);

    [LoggerMessage(102, LogLevel.Warning, "Counting the existing ImageDedup originals into the statistics counters failed; the next statistics call tries again")]
    public static partial void BackfillFailed(ILogger logger, Exception exception);
}
