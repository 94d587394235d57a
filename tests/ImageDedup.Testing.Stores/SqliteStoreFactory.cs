using System.Reflection;
using ImageDedup.Sqlite;
using ImageDedup.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace ImageDedup.Testing.Stores;

/// <summary>SQLite reference stores, each in its own file of one temporary directory.</summary>
public sealed class SqliteStoreFactory : StoreFactory<IReferenceStore>, IStoreFactory<IReferenceStore>
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("imagededup-sqlite-");
    private readonly List<string> _connectionStrings = [];

    /// <inheritdoc/>
    public static Assembly Provider => typeof(SqliteReferenceStoreOptions).Assembly;

    /// <inheritdoc/>
    public override Task<IReferenceStore> CreateAsync()
    {
        var connectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(_directory.FullName, $"{Guid.NewGuid():N}.db") }.ToString();
        _connectionStrings.Add(connectionString);
        return MigratedAsync(Build(b => b.UseSqlite(connectionString)));
    }

    /// <inheritdoc/>
    protected override ValueTask DeleteAsync()
    {
        // Pooled connections keep the files open; only this factory's pools, other tests run alongside.
        foreach (var connectionString in _connectionStrings)
        {
            using var connection = new SqliteConnection(connectionString);
            SqliteConnection.ClearPool(connection);
        }

        _directory.Delete(recursive: true);
        return ValueTask.CompletedTask;
    }
}
