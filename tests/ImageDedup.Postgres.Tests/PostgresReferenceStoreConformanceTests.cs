using ImageDedup.Storage;
using ImageDedup.Testing.References;
using ImageDedup.Testing.Servers;

namespace ImageDedup.Postgres.Tests;

/// <summary>The shared reference-store suite against PostgreSQL: one database per class, one schema per store.</summary>
public sealed class PostgresReferenceStoreConformanceTests(PostgresDatabase database) : ReferenceStoreConformanceTests, IClassFixture<PostgresDatabase>
{
    protected override async Task<IReferenceStore> CreateStoreAsync() => await Stores.CreateMigratedAsync(database);
}
