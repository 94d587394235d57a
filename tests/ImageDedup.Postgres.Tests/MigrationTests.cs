using ImageDedup.Testing.Logging;
using ImageDedup.Testing;
using System.Diagnostics;
using ImageDedup.Testing.Content;
using ImageDedup.Testing.Servers;
using Microsoft.Extensions.Logging;
using Npgsql;
using Xunit.Abstractions;

namespace ImageDedup.Postgres.Tests;

/// <summary>The versioned migration: applied once under the advisory lock, in any (quoted) schema.</summary>
public sealed class MigrationTests(PostgresDatabase database, ITestOutputHelper output) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task Ten_instances_migrating_a_fresh_schema_at_once_apply_each_version_exactly_once()
    {
        var schema = PostgresDatabase.NewSchemaName();
        var logger = new CapturingLogger<PostgresReferenceStore>();
        var stores = Enumerable.Range(0, 10).Select(_ => Stores.Create(database, schema, logger: logger)).ToList();
        using var start = new ManualResetEventSlim();
        var watch = Stopwatch.StartNew();

        // Each on its own thread, released together, so the ten really race for the lock.
        await Task.WhenAll(stores.Select(store => Task.Run(async () =>
        {
            start.Wait();
            await store.MigrateAsync();
        })).Append(Task.Run(start.Set)));
        watch.Stop();
        output.WriteLine($"10 parallel migrations of a fresh schema: {watch.ElapsedMilliseconds} ms");

        // Versions are numbered per change and merged independently, so a number may be unused.
        var embedded = Directory.GetFiles(Path.Join(RepositoryRoot.Find(), "src", "ImageDedup.Postgres", "Migrations"), "Install.v*.sql")
            .Select(f => int.Parse(Path.GetFileNameWithoutExtension(f)["Install.v".Length..], System.Globalization.CultureInfo.InvariantCulture))
            .Order().ToList();
        Assert.Equal(PostgresSchemaMigrator.LatestVersion, embedded[^1]);
        Assert.Equal(embedded.Count, logger.Entries.Count(e => e.Level == LogLevel.Information && e.Message.StartsWith("Applying", StringComparison.Ordinal)));
        await using var versions = database.DataSource.CreateCommand($"SELECT version FROM \"{schema}\".schema_version ORDER BY version");
        await using var reader = await versions.ExecuteReaderAsync();
        var recorded = new List<int>();
        while (await reader.ReadAsync())
        {
            recorded.Add(reader.GetInt32(0));
        }

        Assert.Equal(embedded, recorded);

        // Every instance works on the one schema afterwards.
        var original = await CreateLiveAsync(stores[0], "h/0");
        for (var i = 1; i < stores.Count; i++)
        {
            await stores[i].AddReferenceAsync("", $"h/{i}", original.Id, claimIfOrphaned: false);
        }

        Assert.Equal(10, (await stores[9].GetAsync(original.Id))!.ReferenceCount);
    }

    [Fact]
    public async Task Migrating_again_takes_no_lock_and_changes_nothing()
    {
        var schema = PostgresDatabase.NewSchemaName();
        await Stores.Create(database, schema).MigrateAsync();
        var logger = new CapturingLogger<PostgresReferenceStore>();

        await Stores.Create(database, schema, logger: logger).MigrateAsync();

        Assert.DoesNotContain(logger.Entries, e => e.Level >= LogLevel.Information);
        Assert.Contains(logger.Entries, e => e.Message.Contains($"already at version {PostgresSchemaMigrator.LatestVersion}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_schema_name_that_needs_quoting_works_everywhere()
    {
        var schema = "Dedup \"Tenant\" ü " + Guid.NewGuid().ToString("N")[..6];
        var store = await Stores.CreateMigratedAsync(database, schema);

        var original = await CreateLiveAsync(store, "projects/7/images/1");
        await store.AddReferenceAsync("", "projects/7/images/2", original.Id, claimIfOrphaned: false);
        var batch = await store.ReleasePrefixBatchAsync("", "projects/7/", 10, claimIfOrphaned: true);

        Assert.Equal(2, batch.Released);
        Assert.Equal(original.Id, Assert.Single(batch.Claimed).Id);
        Assert.True(await store.DeleteClaimedAsync(original.Id));
        await using var exists = database.DataSource.CreateCommand("SELECT count(*) FROM pg_namespace WHERE nspname = $1");
        exists.Parameters.Add(new NpgsqlParameter { Value = schema });
        Assert.Equal(1L, await exists.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Without_auto_migrate_the_store_does_not_create_its_schema()
    {
        var schema = PostgresDatabase.NewSchemaName();
        var store = Stores.Create(database, schema, autoMigrate: false);

        var error = await Assert.ThrowsAsync<PostgresException>(() => store.GetAsync(Guid.NewGuid()));

        Assert.Equal(PostgresErrorCodes.UndefinedTable, error.SqlState);
    }

    [Fact]
    public async Task The_down_scripts_newest_first_remove_everything_the_install_created()
    {
        var schema = PostgresDatabase.NewSchemaName();
        var store = await Stores.CreateMigratedAsync(database, schema);
        await CreateLiveAsync(store, "h/1");
        await CreateLiveAsync(store, "h/2", seed: 2);
        // Newest first, as the scripts say.
        for (var version = PostgresSchemaMigrator.LatestVersion; version >= 1; version--)
        {
            // Versions are numbered per change and merged independently, so a number may be unused.
            var path = Path.Join(RepositoryRoot.Find(), "src", "ImageDedup.Postgres", "Migrations", $"Uninstall.v{version}.sql");
            if (!File.Exists(path))
            {
                continue;
            }

            var down = File.ReadAllText(path)
                .Replace("{schema}", PostgresSql.QuoteIdentifier(schema), StringComparison.Ordinal);
            await using var command = database.DataSource.CreateCommand(down);
            await command.ExecuteNonQueryAsync();
        }

        await using var exists = database.DataSource.CreateCommand("SELECT count(*) FROM pg_namespace WHERE nspname = $1");
        exists.Parameters.Add(new NpgsqlParameter { Value = schema });
        Assert.Equal(0L, await exists.ExecuteScalarAsync());

        // And the install runs again from scratch.
        await Stores.Create(database, schema).MigrateAsync();
    }

    private static async Task<Original> CreateLiveAsync(PostgresReferenceStore store, string holder, int seed = 1)
    {
        var digest = TestImages.DigestOf(TestImages.Png(seed, 64));
        var id = Guid.NewGuid();
        await store.InsertPendingAsync(new NewOriginal(id, "", digest, 64, "image/png", $"sha256/{digest.Hex}.{id:N}"));
        return (await store.PromoteAsync(id, holder, claimIfOrphaned: false)).Original;
    }
}
