using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace ImageDedup.Postgres;

/// <summary>
/// Counts the originals that existed before schema version 4 into the statistics counters: calls
/// <c>backfill_counters</c>, which sets <c>counted</c> on the next batch in id order in one short
/// transaction, until it says every row is counted (Install.v4.sql). Never under the migration lock;
/// the trigger adds each row's contribution as its flag is set, so traffic goes on meanwhile and the
/// figures end exact. Several instances running it at once take turns batch by batch.
/// </summary>
internal sealed class PostgresCounterBackfill
{
    /// <summary>Rows counted per transaction: milliseconds of row locks each.</summary>
    internal const int BatchSize = 1000;

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _batch;
    private readonly ILogger _logger;

    public PostgresCounterBackfill(NpgsqlDataSource dataSource, PostgresSql sql, ILogger logger)
    {
        _dataSource = dataSource;
        _batch = $"SELECT {sql.Schema}.backfill_counters($1)";
        _logger = logger;
    }

    /// <summary>Counts batches until every original is counted.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var batches = 0;
        while (!await CountBatchAsync(cancellationToken).ConfigureAwait(false))
        {
            if (batches++ == 0)
            {
                Log.BackfillStarted(_logger);
            }
        }

        if (batches > 0)
        {
            Log.BackfillCompleted(_logger, batches);
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
            Log.BackfillFailed(_logger, ex);
            throw;
        }
    }

    private async Task<bool> CountBatchAsync(CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand(_batch);
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = BatchSize, NpgsqlDbType = NpgsqlDbType.Integer });
            return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
    }
}
