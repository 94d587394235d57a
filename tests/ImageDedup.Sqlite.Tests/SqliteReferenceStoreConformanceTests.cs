using System.Data.Common;
using ImageDedup.Storage;
using ImageDedup.Testing.References;

namespace ImageDedup.Sqlite.Tests;

/// <summary>The shared reference-store suite against a temporary SQLite file per test.</summary>
public sealed class SqliteReferenceStoreConformanceTests : ReferenceStoreConformanceTests, IDisposable
{
    private readonly List<SqliteTestDatabase> _databases = [];
    private readonly Dictionary<IReferenceStore, SqliteTestDatabase> _byStore = [];

    protected override async Task<IReferenceStore> CreateStoreAsync()
    {
        var database = new SqliteTestDatabase();
        _databases.Add(database);
        var store = database.CreateStore();
        await store.MigrateAsync();
        _byStore[store] = database;
        return store;
    }

    protected override async Task<DbConnection?> OpenHostConnectionAsync(IReferenceStore store)
        => await _byStore[store].OpenAsync();

    public void Dispose()
    {
        foreach (var database in _databases)
        {
            database.Dispose();
        }
    }
}
