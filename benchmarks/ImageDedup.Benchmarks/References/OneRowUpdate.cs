using Microsoft.Data.Sqlite;

namespace ImageDedup.Benchmarks.References;

/// <summary>
/// The floor for one durable write on SQLite: a one-row UPDATE in its own BEGIN IMMEDIATE
/// transaction on one open connection, to the store's database file with the store's pragmas
/// (WAL, synchronous=FULL, foreign keys, busy timeout), each set by its own statement as the store does.
/// </summary>
public sealed class OneRowUpdate : IAsyncDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _update;

    private OneRowUpdate(SqliteConnection connection)
    {
        _connection = connection;
        _update = connection.CreateCommand();
        _update.CommandText = "UPDATE bench_counter SET n = n + 1 WHERE id = 1;";
    }

    public static async Task<OneRowUpdate> OpenAsync(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        foreach (var pragma in new[] { "PRAGMA busy_timeout = 30000;", "PRAGMA journal_mode = WAL;", "PRAGMA synchronous = FULL;", "PRAGMA foreign_keys = ON;" })
        {
            await Execute(connection, pragma);
        }

        await Execute(connection, "CREATE TABLE IF NOT EXISTS bench_counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL);");
        await Execute(connection, "INSERT OR IGNORE INTO bench_counter (id, n) VALUES (1, 0);");
        return new OneRowUpdate(connection);
    }

    public async Task RunAsync()
    {
        // deferred: false is BEGIN IMMEDIATE, as the store's writes.
        var transaction = _connection.BeginTransaction(deferred: false);
        await using (transaction)
        {
            _update.Transaction = transaction;
            await _update.ExecuteNonQueryAsync();
            await transaction.CommitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _update.DisposeAsync();
        await _connection.DisposeAsync();
    }

    private static async Task Execute(SqliteConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        await using (command)
        {
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync();
        }
    }
}
