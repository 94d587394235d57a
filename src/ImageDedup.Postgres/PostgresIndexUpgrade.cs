using Microsoft.Extensions.Logging;
using Npgsql;

namespace ImageDedup.Postgres;

/// <summary>
/// Finishes the indexes of schema versions 5 and 7 on a catalogue that had rows when they were applied
/// (Install.v5.sql, Install.v7.sql): builds, with <c>CREATE INDEX CONCURRENTLY</c>, the two indexes
/// that let a reference-count change be a HOT update and the digest index of a purge everywhere, then
/// drops the ones they replace. Building an index reads every row, so it never
/// runs under the migration lock; writes go on meanwhile, and until it is done both sets of indexes
/// serve the same queries. One instance does it at a time (a session advisory lock); an interrupted
/// build leaves an invalid index, which the next run drops and builds again.
/// </summary>
/// <remarks>
/// A run that must finish the work (<c>MigrateAsync</c>) waits for another instance's build by asking
/// for the lock again every second, never by blocking on it: a session blocked in
/// <c>pg_advisory_lock</c> holds a snapshot, and <c>CREATE INDEX CONCURRENTLY</c> waits for every
/// older snapshot to go, so the two would wait for each other.
/// </remarks>
internal sealed class PostgresIndexUpgrade
{
    /// <summary>First key of the session advisory lock ('IDDI'); the second is the schema's hash. Not the migration's key, so migrations never wait for a build.</summary>
    private const int LockClass = 0x49444449;

    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresSql _sql;
    private readonly ILogger _logger;
    private readonly IndexSwap[] _swaps;

    public PostgresIndexUpgrade(NpgsqlDataSource dataSource, PostgresSql sql, ILogger logger)
    {
        _dataSource = dataSource;
        _sql = sql;
        _logger = logger;
        var o = $"{sql.Schema}.originals";
        // The same definitions as the empty-table branches of Install.v5.sql and Install.v7.sql.
        _swaps =
        [
            new("originals_orphans", "originals_orphaned", $"ON {o} (orphaned_at, scope) WHERE state = 'live' AND orphaned_at IS NOT NULL"),
            new("originals_unsettled", "originals_unsettled_ids", $"ON {o} (state, id) WHERE state <> 'live'"),
            new(null, "originals_digest", $"ON {o} (digest)"),
        ];
    }

    /// <summary>
    /// Builds what is missing and drops what is replaced. Returns at once when there is nothing to do;
    /// when another instance is at it, waits for it to finish (<paramref name="waitForOthers"/>) or returns.
    /// </summary>
    public async Task RunAsync(bool waitForOthers, CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            while (true)
            {
                if (!await AnyLeftAsync(connection, cancellationToken).ConfigureAwait(false))
                {
                    return;
                }

                if ((bool)(await ScalarAsync(connection, "SELECT pg_try_advisory_lock($1, hashtext($2))", cancellationToken, LockClass, _sql.SchemaName).ConfigureAwait(false))!)
                {
                    break;
                }

                if (!waitForOthers)
                {
                    return;
                }

                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            }

            try
            {
                foreach (var swap in _swaps)
                {
                    await SwapAsync(connection, swap, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                await ScalarAsync(connection, "SELECT pg_advisory_unlock($1, hashtext($2))", CancellationToken.None, LockClass, _sql.SchemaName).ConfigureAwait(false);
            }
        }
    }

    /// <summary><see cref="RunAsync"/> for a background run: a failure is logged here (the run has no caller) and faults the task, so the next start tries again.</summary>
    public async Task RunQuietlyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RunAsync(waitForOthers: false, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            Log.IndexUpgradeFailed(_logger, ex, _sql.SchemaName);
            throw;
        }
    }

    private async Task<bool> AnyLeftAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        foreach (var swap in _swaps)
        {
            if ((swap.Old is { } old && await ValidityAsync(connection, old, cancellationToken).ConfigureAwait(false) is not null)
                || await ValidityAsync(connection, swap.New, cancellationToken).ConfigureAwait(false) is not true)
            {
                return true;
            }
        }

        return false;
    }

    private async Task SwapAsync(NpgsqlConnection connection, IndexSwap swap, CancellationToken cancellationToken)
    {
        var valid = await ValidityAsync(connection, swap.New, cancellationToken).ConfigureAwait(false);
        if (valid is not true)
        {
            if (valid is false)
            {
                // A concurrent build that was interrupted: the index exists, is maintained, and serves nothing.
                await ExecuteAsync(connection, $"DROP INDEX CONCURRENTLY IF EXISTS {_sql.Schema}.{PostgresSql.QuoteIdentifier(swap.New)}", cancellationToken).ConfigureAwait(false);
            }

            Log.BuildingIndex(_logger, swap.New, _sql.SchemaName);
            await ExecuteAsync(connection, $"CREATE INDEX CONCURRENTLY {PostgresSql.QuoteIdentifier(swap.New)} {swap.Definition}", cancellationToken).ConfigureAwait(false);
        }

        if (swap.Old is { } old && await ValidityAsync(connection, old, cancellationToken).ConfigureAwait(false) is not null)
        {
            await ExecuteAsync(connection, $"DROP INDEX CONCURRENTLY IF EXISTS {_sql.Schema}.{PostgresSql.QuoteIdentifier(old)}", cancellationToken).ConfigureAwait(false);
            Log.IndexReplaced(_logger, old, swap.New, _sql.SchemaName);
        }
    }

    /// <summary>Whether the index is valid; null when it does not exist.</summary>
    private async Task<bool?> ValidityAsync(NpgsqlConnection connection, string index, CancellationToken cancellationToken)
        => await ScalarAsync(
            connection,
            "SELECT i.indisvalid FROM pg_index AS i WHERE i.indexrelid = to_regclass($1)",
            cancellationToken,
            $"{_sql.Schema}.{PostgresSql.QuoteIdentifier(index)}").ConfigureAwait(false) as bool?;

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        // One statement, outside any transaction: CREATE/DROP INDEX CONCURRENTLY refuse to run in one.
        var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await using (command.ConfigureAwait(false))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object[] values)
    {
        var command = new NpgsqlCommand(sql, connection);
        await using (command.ConfigureAwait(false))
        {
            foreach (var value in values)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = value });
            }

            var result = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return result is DBNull ? null : result;
        }
    }

    /// <summary>An index to build concurrently, and the index of an older version it replaces (null: none).</summary>
    private sealed record IndexSwap(string? Old, string New, string Definition);
}
