using System.Globalization;
using Microsoft.Data.Sqlite;

namespace ImageDedup.Sqlite;

/// <summary>
/// Opens connections with the settings every statement of the store relies on: WAL, synchronous=FULL,
/// foreign keys, a busy timeout so that writers queue for the lock instead of failing, and a page
/// cache of <see cref="PageCacheKibibytes"/> instead of a memory map.
/// </summary>
internal sealed class SqliteConnectionFactory
{
    /// <summary>Each connection's page cache (SQLite's default is 2 MiB), filled only as pages are read.</summary>
    internal const int PageCacheKibibytes = 16 * 1024;

    private static readonly string CacheSize = string.Create(CultureInfo.InvariantCulture, $"PRAGMA cache_size = -{PageCacheKibibytes};");

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
            // A page cache of its own and no memory map. SQLite drops a connection's cache, and its map,
            // whenever another connection has written. Refilling the cache costs one read per page a
            // later statement needs; dropping a map costs an munmap of the whole mapped range and a page
            // fault for every page read afterwards. With two engines taking turns (scale.sh's
            // add_release_in_turns), an operation took 98 us with a 1 GiB map against 74 us without at
            // 10^4 originals, and 112 us against 82 us at 10^6; a garbage-collection claim after another
            // connection's commit grew 1.21x from 10^4 to 10^6 with the map, 1.12x without (docs/scale.md).
            await SqliteCommands.NonQueryAsync(connection, null, CacheSize, cancellationToken).ConfigureAwait(false);
            await SqliteCommands.NonQueryAsync(connection, null, "PRAGMA mmap_size = 0;", cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
