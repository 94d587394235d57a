using Microsoft.Data.Sqlite;

namespace ImageDedup.Sqlite;

/// <summary>
/// Runs one parameterised statement on a connection, inside a transaction when given one: with the
/// connection's cached command when it has a <see cref="SqliteStatementCache"/>, else a command of its own.
/// </summary>
internal static class SqliteCommands
{
    public static async Task<int> NonQueryAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        var (command, owned) = Create(connection, transaction, sql, parameters);
        try
        {
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await ReleaseAsync(command, owned).ConfigureAwait(false);
        }
    }

    public static async Task<object?> ScalarAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        var (command, owned) = Create(connection, transaction, sql, parameters);
        try
        {
            var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return value is DBNull ? null : value;
        }
        finally
        {
            await ReleaseAsync(command, owned).ConfigureAwait(false);
        }
    }

    public static async Task<List<T>> QueryAsync<T>(SqliteConnection connection, SqliteTransaction? transaction, string sql, Func<SqliteDataReader, T> map, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        var rows = new List<T>();
        var (command, owned) = Create(connection, transaction, sql, parameters);
        try
        {
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    rows.Add(map(reader));
                }
            }
        }
        finally
        {
            await ReleaseAsync(command, owned).ConfigureAwait(false);
        }

        return rows;
    }

    public static Task<List<Original>> OriginalsAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
        => QueryAsync(connection, transaction, sql, OriginalRow.Read, cancellationToken, parameters);

    public static async Task<Original?> OriginalAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        var rows = await OriginalsAsync(connection, transaction, sql, cancellationToken, parameters).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    private static (SqliteCommand Command, bool Owned) Create(SqliteConnection connection, SqliteTransaction? transaction, string sql, (string Name, object? Value)[] parameters)
    {
        var cached = SqliteStatementCache.Find(connection, sql);
        var command = cached ?? connection.CreateCommand();
        command.Transaction = transaction;
        if (cached is null)
        {
            command.CommandText = sql;
        }

        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return (command, cached is null);
    }

    private static ValueTask ReleaseAsync(SqliteCommand command, bool owned)
    {
        if (owned)
        {
            return command.DisposeAsync();
        }

        // Unbound from this call's transaction; the compiled statement stays with the connection.
        command.Transaction = null;
        return ValueTask.CompletedTask;
    }
}
