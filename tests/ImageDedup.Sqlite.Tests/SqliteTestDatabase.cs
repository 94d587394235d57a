using ImageDedup.Sqlite;
using Microsoft.Data.Sqlite;

namespace ImageDedup.Sqlite.Tests;

/// <summary>A temporary database file, deleted (with its WAL and shared-memory files) on dispose.</summary>
internal sealed class SqliteTestDatabase : IDisposable
{
    public SqliteTestDatabase()
    {
        var directory = Path.Combine(Path.GetTempPath(), "imagededup-sqlite-tests");
        Directory.CreateDirectory(directory);
        FilePath = Path.Combine(directory, $"{Guid.NewGuid():N}.db");
        ConnectionString = new SqliteConnectionStringBuilder { DataSource = FilePath }.ToString();
    }

    public string FilePath { get; }

    public string ConnectionString { get; }

    public SqliteReferenceStore CreateStore(string prefix = "imagededup_", bool autoMigrate = true)
        => new(new SqliteReferenceStoreOptions { ConnectionString = ConnectionString, TablePrefix = prefix, AutoMigrate = autoMigrate });

    public async Task<SqliteConnection> OpenAsync()
    {
        var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }

    public void Dispose()
    {
        using (var connection = new SqliteConnection(ConnectionString))
        {
            SqliteConnection.ClearPool(connection);
        }

        foreach (var suffix in new[] { string.Empty, "-wal", "-shm", "-journal" })
        {
            try
            {
                File.Delete(FilePath + suffix);
            }
            catch (IOException)
            {
                // A child process may still be closing; the temp directory is cleaned by the OS eventually.
            }
        }
    }
}
