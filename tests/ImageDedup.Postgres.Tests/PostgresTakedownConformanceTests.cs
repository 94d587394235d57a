using ImageDedup.Storage;
using ImageDedup.Testing.References;
using ImageDedup.Testing.Servers;

namespace ImageDedup.Postgres.Tests;

/// <summary>The takedown suite (block list, purge claims) against PostgreSQL: one database per class, one schema per store.</summary>
public sealed class PostgresTakedownConformanceTests(PostgresDatabase database) : TakedownConformanceTests, IClassFixture<PostgresDatabase>
{
    protected override async Task<IReferenceStore> CreateStoreAsync() => await Stores.CreateMigratedAsync(database);
}
