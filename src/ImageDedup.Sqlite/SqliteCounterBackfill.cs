using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace ImageDedup.Sqlite;

/// <summary>
/// Counts the originals that existed before schema version 3 into the statistics counters: sets
/// <c>counted</c> on them in small keyset batches, one short write transaction each, so the upgrade
/// never holds the write lock through a scan of every row (Install.v3.sql). The triggers add each
/// row's contribution as its flag is set, so traffic may go on meanwhile and the figures end exact.
/// </summary>
internal sealed class SqliteCounterBackfill
{
    /// <summary>Rows counted per transaction: a few milliseconds of write lock each.</summary>
    internal const int BatchSize = 1000;

    private readonly SqliteConnectionFactory _connections;
    private readonly string _progress;
    private readonly string _selectBatch;
    private readonly string _markBatch;
    private readonly string _advance;
    private readonly ILogger _logger;

    public SqliteCounterBackfill(SqliteConnectionFactory connections, string prefix, ILogger logger)
    {
        _connections = connections;
        _logger = logger;
        var o = Quote(prefix + "originals");
        var b = Quote(prefix + "counter_backfill");
        _progress = $"SELECT after_id, completed_at IS NOT NULL FROM {b} WHERE singleton = 1;";

        // Ids are never empty, so '' comes before every one of them: the first batch needs no other statement.
        _selectBatch = $"SELECT id FROM {o} WHERE id > @after ORDER BY id LIMIT @limit;";
        _markBatch = $"UPDATE {o} SET counted = 1 WHERE id IN (SELECT id FROM {o} WHERE id > @after ORDER BY id LIMIT @limit) AND counted = 0;";
        _advance = $"UPDATE {b} SET after_id = @last, completed_at = CASE WHEN @done = 1 THEN {SqliteStatements.Now} END WHERE singleton = 1;";
    }

    /// <summary>Counts batches until every original is counted.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var batches = 0;
        while (!await CountBatchAsync(cancellationToken).ConfigureAwait(false))
        {
            if (batches++ == 0)
            {
                SqliteLog.BackfillStarted(_logger);
            }
        }

        if (batches > 0)
        {
            SqliteLog.BackfillCompleted(_logger, batches);
        }
    }

    /// <summary><see cref="RunAsync"/> for a background run: a failure is logged here (the run has no caller) and faults the task, so the next start tries again.</summary>
    public async Task RunQuietlyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            SqliteLog.BackfillFailed(_logger, ex);
            throw;
        }
    }

    /// <summary>Counts one batch; true once every original is counted.</summary>
    private async Task<bool> CountBatchAsync(CancellationToken cancellationToken)
    {
        var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = connection.BeginTransaction(deferred: false);
            await using (transaction.ConfigureAwait(false))
            {
                var progress = await SqliteCommands.QueryAsync(connection, transaction, _progress, r => (After: r.IsDBNull(0) ? string.Empty : r.GetString(0), Done: r.GetBoolean(1)), cancellationToken).ConfigureAwait(false);
                if (progress.Count == 0 || progress[0].Done)
                {
                    return true;
                }

                var after = progress[0].After;
                var ids = await SqliteCommands.QueryAsync(connection, transaction, _selectBatch, r => r.GetString(0), cancellationToken, ("@after", after), ("@limit", BatchSize)).ConfigureAwait(false);
                await SqliteCommands.NonQueryAsync(connection, transaction, _markBatch, cancellationToken, ("@after", after), ("@limit", BatchSize)).ConfigureAwait(false);
                var done = ids.Count < BatchSize;
                await SqliteCommands.NonQueryAsync(connection, transaction, _advance, cancellationToken, ("@last", ids.Count > 0 ? ids[^1] : after), ("@done", done ? 1 : 0)).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return done;
            }
        }
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
