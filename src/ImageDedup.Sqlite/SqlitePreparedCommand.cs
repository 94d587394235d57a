using Microsoft.Data.Sqlite;

namespace ImageDedup.Sqlite;

/// <summary>
/// One statement prepared once and run many times inside one transaction with new values: what a
/// group commit of a thousand items costs per item is then the statement, not its parsing.
/// </summary>
internal sealed class SqlitePreparedCommand : IDisposable
{
    private readonly SqliteCommand _command;

    public SqlitePreparedCommand(SqliteConnection connection, SqliteTransaction transaction, string sql, params string[] parameterNames)
    {
        _command = connection.CreateCommand();
        _command.Transaction = transaction;
        _command.CommandText = sql;
        foreach (var name in parameterNames)
        {
            _command.Parameters.Add(new SqliteParameter(name, DBNull.Value));
        }

        _command.Prepare();
    }

    /// <summary>Sets the parameters, in the order they were named.</summary>
    public SqlitePreparedCommand Bind(params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            _command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }

        return this;
    }

    public int Execute() => _command.ExecuteNonQuery();

    /// <summary>The first row mapped by <paramref name="map"/>, or default when there is none; the rest are read and dropped.</summary>
    public T? QueryFirst<T>(Func<SqliteDataReader, T> map)
    {
        using var reader = _command.ExecuteReader();
        if (!reader.Read())
        {
            return default;
        }

        var first = map(reader);
        while (reader.Read())
        {
        }

        return first;
    }

    public Original? QueryOriginal() => QueryFirst(OriginalRow.Read);

    public void Dispose() => _command.Dispose();
}
