using System.Globalization;
using Microsoft.Data.Sqlite;

namespace ImageDedup.Sqlite;

/// <summary>
/// Opens connections with the settings every statement of the store relies on: WAL, synchronous=FULL,
/// foreign keys, and a busy timeout so that writers queue for the lock instead of failing.
/// </summary>
internal sealed class SqliteConnectionFactory
{
    private readonly string _connectionString;
    private readonly string _pragmas;

    public SqliteConnectionFactory(string connectionString)
    {
        _connectionString = connectionString;
        var timeout = new SqliteConnectionStringBuilder(connectionString).DefaultTimeout;
        var busyMilliseconds = Math.Max(timeout, 1) * 1000L;
        _pragmas = string.Create(
            CultureInfo.InvariantCulture,
            $"PRAGMA busy_timeout = {busyMilliseconds}; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;");
    }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await SqliteCommands.NonQueryAsync(connection, null, _pragmas, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
