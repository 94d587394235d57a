using ImageDedup.Storage;
using ImageDedup.Testing.References;

namespace ImageDedup.Sqlite.Tests;

/// <summary>The shared reference-store suite against a temporary SQLite file per test.</summary>
public sealed class SqliteReferenceStoreConformanceTests : ReferenceStoreConformanceTests, IDisposable
{
    private readonly SqliteTestDatabases _databases = new();

    protected override async Task<IReferenceStore> CreateStoreAsync() => await _databases.CreateMigratedAsync();

    protected override async Task ForgetCountersAsync(IReferenceStore store)
    {
        await using var connection = await _databases.Of(store).OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE "imagededup_originals" SET counted = 0;
            DELETE FROM "imagededup_scope_counters";
            UPDATE "imagededup_counter_backfill" SET after_id = NULL, completed_at = NULL;
            """;
        await command.ExecuteNonQueryAsync();
    }

    public void Dispose() => _databases.Dispose();
}
