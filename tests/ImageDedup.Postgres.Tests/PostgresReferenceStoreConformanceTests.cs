using System.Data.Common;
using ImageDedup.Storage;
using ImageDedup.Testing.References;
using ImageDedup.Testing.Servers;

namespace ImageDedup.Postgres.Tests;

/// <summary>The shared reference-store suite against PostgreSQL: one database per class, one schema per store.</summary>
public sealed class PostgresReferenceStoreConformanceTests : ReferenceStoreConformanceTests, IClassFixture<PostgresDatabase>
{
    private readonly PostgresDatabase _database;

    public PostgresReferenceStoreConformanceTests(PostgresDatabase database) => _database = database;

    protected override async Task<IReferenceStore> CreateStoreAsync() => await Stores.CreateMigratedAsync(_database);

    protected override async Task<DbConnection?> OpenHostConnectionAsync(IReferenceStore store)
        => await _database.DataSource.OpenConnectionAsync();
}
