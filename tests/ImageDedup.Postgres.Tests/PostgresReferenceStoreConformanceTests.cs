using ImageDedup.Storage;
using ImageDedup.Testing.References;
using ImageDedup.Testing.Servers;

namespace ImageDedup.Postgres.Tests;

/// <summary>The shared reference-store suite against PostgreSQL: one database per class, one schema per store.</summary>
public sealed class PostgresReferenceStoreConformanceTests(PostgresDatabase database) : ReferenceStoreConformanceTests, IClassFixture<PostgresDatabase>
{
    protected override async Task<IReferenceStore> CreateStoreAsync() => await Stores.CreateMigratedAsync(database);

    protected override async Task ForgetCountersAsync(IReferenceStore store)
    {
        var schema = ((PostgresReferenceStore)store).Sql.Schema;
        // Uncounting through the trigger subtracts each row's contribution, as if it had never been added.
        await using var command = database.DataSource.CreateCommand(
            $"UPDATE {schema}.originals SET counted = false; DELETE FROM {schema}.scope_counters; UPDATE {schema}.counter_backfill SET after_id = NULL, completed_at = NULL");
        await command.ExecuteNonQueryAsync();
    }
}
