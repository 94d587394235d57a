using System.Data.Common;

namespace ImageDedup.AspNetCore.Tests;

/// <summary>A host's own connection, transaction and table on the reference store's database, as the README's flow uses them.</summary>
public sealed class HostTransaction(DbConnection connection, DbTransaction transaction, string table) : IAsyncDisposable
{
    public DbTransaction Transaction => transaction;

    public static async Task<HostTransaction> BeginAsync(DbConnection connection, string table)
    {
        await connection.OpenAsync();
        await ExecuteAsync(connection, null, $"CREATE TABLE IF NOT EXISTS {table} (id VARCHAR(36) PRIMARY KEY, original VARCHAR(36) NOT NULL)");
        return new HostTransaction(connection, await connection.BeginTransactionAsync(), table);
    }

    /// <summary>How many host rows name <paramref name="photo"/>, on a connection of its own.</summary>
    public static async Task<long> CountAsync(DbConnection connection, string table, Guid photo)
    {
        await using (connection)
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT COUNT(*) FROM {table} WHERE id = @id";
            AddParameter(command, "id", photo.ToString());
            return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    public Task InsertPhotoAsync(Guid photo, Guid original)
        => ExecuteAsync(connection, transaction, $"INSERT INTO {table} (id, original) VALUES (@id, @original)", ("id", photo.ToString()), ("original", original.ToString()));

    public async ValueTask DisposeAsync()
    {
        await transaction.DisposeAsync();
        await connection.DisposeAsync();
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, params (string Name, string Value)[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            AddParameter(command, name, value);
        }

        await command.ExecuteNonQueryAsync();
    }

    private static void AddParameter(DbCommand command, string name, string value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
