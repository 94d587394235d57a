using System.Data.Common;
using ImageDedup.Storage;
using ImageDedup.Testing.References;
using ImageDedup.Testing.Servers;

namespace ImageDedup.Postgres.Tests;

/// <summary>The host-transaction suite against PostgreSQL: the host's connections come from the pool the stores share.</summary>
public sealed class PostgresHostTransactionConformanceTests(PostgresDatabase database) : HostTransactionConformanceTests, IClassFixture<PostgresDatabase>
{
    protected override async Task<IReferenceStore> CreateStoreAsync() => await Stores.CreateMigratedAsync(database);

    protected override async Task<DbConnection> OpenHostConnectionAsync(IReferenceStore store) => await database.DataSource.OpenConnectionAsync();
}
