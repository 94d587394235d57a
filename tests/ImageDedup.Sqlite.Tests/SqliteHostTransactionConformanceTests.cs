using System.Data.Common;
using ImageDedup.Storage;
using ImageDedup.Testing.References;

namespace ImageDedup.Sqlite.Tests;

/// <summary>The host-transaction suite against a temporary SQLite file per store: the host opens its own connection to that file.</summary>
public sealed class SqliteHostTransactionConformanceTests : HostTransactionConformanceTests, IDisposable
{
    private readonly SqliteTestDatabases _databases = new();

    protected override async Task<IReferenceStore> CreateStoreAsync() => await _databases.CreateMigratedAsync();

    protected override async Task<DbConnection> OpenHostConnectionAsync(IReferenceStore store) => await _databases.Of(store).OpenAsync();

    public void Dispose() => _databases.Dispose();
}
