using ImageDedup.Storage;

namespace ImageDedup.Sqlite.Tests;

/// <summary>A migrated store in its own temporary file per call, each file remembered by its store and deleted on dispose.</summary>
internal sealed class SqliteTestDatabases : IDisposable
{
    private readonly Dictionary<IReferenceStore, SqliteTestDatabase> _byStore = [];

    public async Task<SqliteReferenceStore> CreateMigratedAsync()
    {
        var database = new SqliteTestDatabase();
        var store = database.CreateStore();
        _byStore[store] = database;
        await store.MigrateAsync();
        return store;
    }

    /// <summary>The file <paramref name="store"/> was made on.</summary>
    public SqliteTestDatabase Of(IReferenceStore store) => _byStore[store];

    public void Dispose()
    {
        foreach (var database in _byStore.Values)
        {
            database.Dispose();
        }
    }
}
