using ImageDedup.Storage;
using ImageDedup.Testing.References;

namespace ImageDedup.Sqlite.Tests;

/// <summary>The takedown suite (block list, purge claims) against a temporary SQLite file per store.</summary>
public sealed class SqliteTakedownConformanceTests : TakedownConformanceTests, IDisposable
{
    private readonly SqliteTestDatabases _databases = new();

    protected override async Task<IReferenceStore> CreateStoreAsync() => await _databases.CreateMigratedAsync();

    public void Dispose() => _databases.Dispose();
}
