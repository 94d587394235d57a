using ImageDedup.Storage;
using ImageDedup.Testing.References;

namespace ImageDedup.Sqlite.Tests;

/// <summary>The shared reference-store suite against a temporary SQLite file per test.</summary>
public sealed class SqliteReferenceStoreConformanceTests : ReferenceStoreConformanceTests, IDisposable
{
    private readonly SqliteTestDatabases _databases = new();

    protected override async Task<IReferenceStore> CreateStoreAsync() => await _databases.CreateMigratedAsync();

    public void Dispose() => _databases.Dispose();
}
