using ImageDedup.Testing.Servers;
using Microsoft.Extensions.Logging;

namespace ImageDedup.Postgres.Tests;

/// <summary>Stores on a test database, each in its own fresh schema unless told otherwise.</summary>
internal static class Stores
{
    /// <summary>A store sharing the database's pool (the store does not own it).</summary>
    public static PostgresReferenceStore Create(PostgresDatabase database, string? schema = null, bool autoMigrate = true, ILogger<PostgresReferenceStore>? logger = null)
        => new(
            new PostgresReferenceStoreOptions { UseRegisteredDataSource = true, Schema = schema ?? PostgresDatabase.NewSchemaName(), AutoMigrate = autoMigrate },
            database.DataSource,
            logger);

    /// <summary>A migrated store in a fresh schema.</summary>
    public static async Task<PostgresReferenceStore> CreateMigratedAsync(PostgresDatabase database, string? schema = null)
    {
        var store = Create(database, schema);
        await store.MigrateAsync();
        return store;
    }
}
