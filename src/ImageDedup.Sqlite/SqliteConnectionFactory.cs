using System.Globalization;
using Microsoft.Data.Sqlite;

namespace ImageDedup.Sqlite;

/// <summary>
/// Opens connections with the settings every statement of the store relies on: WAL, synchronous=FULL,
/// foreign keys, a busy timeout so that writers queue for the lock instead of failing, and reads
/// through a memory map.
/// </summary>
internal sealed class SqliteConnectionFactory
{
    private readonly string _connectionString;
    private readonly string _busyTimeout;
    private int _walConfirmed;

    public SqliteConnectionFactory(string connectionString)
    {
        _connectionString = connectionString;
        var timeout = new SqliteConnectionStringBuilder(connectionString).DefaultTimeout;
        var busyMilliseconds = Math.Max(timeout, 1) * 1000L;
        _busyTimeout = string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {busyMilliseconds};");
    }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            // One statement per command: Microsoft.Data.Sqlite does not report SQLITE_BUSY from a later
            // statement of a batch once its retries time out, so a batched journal_mode or synchronous
            // pragma could be skipped silently.
            await SqliteCommands.NonQueryAsync(connection, null, _busyTimeout, cancellationToken).ConfigureAwait(false);

            // WAL is a property of the database file and survives every connection, so it is switched
            // on (and checked) by the first open of this store only. Re-issuing it on every pooled open
            // under heavy write load once failed the next pragma with "cannot commit transaction - SQL
            // statements in progress".
            if (Volatile.Read(ref _walConfirmed) == 0)
            {
                var journalMode = (string?)await SqliteCommands.ScalarAsync(connection, null, "PRAGMA journal_mode = WAL;", cancellationToken).ConfigureAwait(false);
                if (!string.Equals(journalMode, "wal", StringComparison.OrdinalIgnoreCase) && !string.Equals(journalMode, "memory", StringComparison.OrdinalIgnoreCase))
                {
                    throw new InvalidOperationException($"The SQLite database could not switch to WAL (journal_mode is '{journalMode}').");
                }

                Volatile.Write(ref _walConfirmed, 1);
            }

            await SqliteCommands.NonQueryAsync(connection, null, "PRAGMA synchronous = FULL;", cancellationToken).ConfigureAwait(false);
            await SqliteCommands.NonQueryAsync(connection, null, "PRAGMA foreign_keys = ON;", cancellationToken).ConfigureAwait(false);
            // Reads of the first GiB of the file through a memory map, not a read() call per page: the
            // connection's own page cache is 2 MiB and is dropped whenever another connection writes, so
            // on a large catalogue every lookup paid syscalls per B-tree level (benchmarks/scale.sh:
            // attach and prefix release 1.4-1.5x slower at 10^6 originals than at 10^4; flat with it).
            await SqliteCommands.NonQueryAsync(connection, null, "PRAGMA mmap_size = 1073741824;", cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
