using ImageDedup.Testing;
using ImageDedup.Testing.Content;
using ImageDedup.Testing.Logging;
using ImageDedup.Testing.Servers;
using Npgsql;

namespace ImageDedup.Postgres.Tests;

/// <summary>
/// Schema version 5: an add or release that leaves the count above zero is a HOT update (no index
/// written); and a catalogue that had rows when versions 5 and 7 were applied gets their indexes built
/// concurrently after the migration lock is released (PostgresIndexUpgrade).
/// </summary>
public sealed class IndexUpgradeTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly string[] Replaced = ["originals_orphans", "originals_unsettled"];
    private static readonly string[] Current = ["originals_digest", "originals_orphaned", "originals_unsettled_ids"];

    [Fact]
    public async Task A_release_that_leaves_references_is_a_hot_update()
    {
        var store = await Stores.CreateMigratedAsync(database);
        var original = await CreateLiveAsync(store, "h/1");
        await store.AddReferenceAsync("", "h/2", original.Id, claimIfOrphaned: false);

        await using var connection = await database.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        // The backend's counts include earlier transactions not yet flushed to the statistics, so the
        // release is measured as a difference, read twice in one transaction (nothing flushes inside it).
        var before = await UpdatesAsync(connection, transaction, store.Sql.Schema);

        // The store's own statement, in a transaction of ours so its statistics can be read before commit.
        await using (var release = new NpgsqlCommand(store.Sql.Release, connection, transaction))
        {
            release.Parameters.Add(new NpgsqlParameter { Value = "" });
            release.Parameters.Add(new NpgsqlParameter { Value = "h/2" });
            release.Parameters.Add(new NpgsqlParameter { Value = false });
            Assert.Equal(1, await release.ExecuteNonQueryAsync());
        }

        var after = await UpdatesAsync(connection, transaction, store.Sql.Schema);
        Assert.Equal((1L, 1L), (after.Updates - before.Updates, after.Hot - before.Hot));
    }

    private static async Task<(long Updates, long Hot)> UpdatesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string quotedSchema)
    {
        await using var command = new NpgsqlCommand($"SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relid = to_regclass('{quotedSchema}.originals')", connection, transaction);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    [Fact]
    public async Task A_catalogue_migrated_with_rows_gets_the_new_indexes_built_concurrently_and_the_old_ones_dropped()
    {
        var schema = PostgresDatabase.NewSchemaName();
        var store = await MigratedWithoutBackgroundBuildAsync(schema);
        var kept = await CreateLiveAsync(store, "h/1");
        await RewindToVersion1IndexesAsync(store.Sql.Schema);
        var logger = new CapturingLogger<PostgresReferenceStore>();

        await Stores.Create(database, schema, logger: logger).MigrateAsync();

        Assert.Equal(Current, await IndexesAsync(schema, valid: true));
        Assert.Empty((await IndexesAsync(schema, valid: false)).Intersect(Current));
        Assert.Empty((await IndexesAsync(schema, valid: true)).Intersect(Replaced));
        Assert.Equal(Current.Length, logger.Entries.Count(e => e.Message.StartsWith("Building index", StringComparison.Ordinal)));
        Assert.Equal(kept.Id, (await store.FindByHolderAsync("", "h/1"))!.Id);

        // Done is done: the next migration builds nothing.
        var again = new CapturingLogger<PostgresReferenceStore>();
        await Stores.Create(database, schema, logger: again).MigrateAsync();
        Assert.DoesNotContain(again.Entries, e => e.Message.StartsWith("Building index", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_interrupted_build_left_invalid_is_dropped_and_built_again()
    {
        var schema = PostgresDatabase.NewSchemaName();
        var store = await MigratedWithoutBackgroundBuildAsync(schema);
        await CreateLiveAsync(store, "h/1");
        await RewindToVersion1IndexesAsync(store.Sql.Schema);
        // What a killed CREATE INDEX CONCURRENTLY leaves: the index exists and is not valid.
        await ExecuteAsync($"CREATE INDEX originals_orphaned ON {store.Sql.Schema}.originals (orphaned_at)");
        await ExecuteAsync($"UPDATE pg_index SET indisvalid = false WHERE indexrelid = to_regclass('{store.Sql.Schema}.originals_orphaned')");
        Assert.Contains("originals_orphaned", await IndexesAsync(schema, valid: false));

        await Stores.Create(database, schema).MigrateAsync();

        Assert.Equal(Current, await IndexesAsync(schema, valid: true));
        Assert.Empty(await IndexesAsync(schema, valid: false));
        Assert.Empty((await IndexesAsync(schema, valid: true)).Intersect(Replaced));
    }

    [Fact]
    public async Task Instances_upgrading_at_once_build_each_index_once_and_first_use_starts_the_build()
    {
        var schema = PostgresDatabase.NewSchemaName();
        var store = await MigratedWithoutBackgroundBuildAsync(schema);
        await CreateLiveAsync(store, "h/1");
        await RewindToVersion1IndexesAsync(store.Sql.Schema);

        // Explicit migrations racing a store whose first use starts the build in the background.
        var lazy = Stores.Create(database, schema);
        await lazy.GetAsync(Guid.NewGuid());
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Stores.Create(database, schema).MigrateAsync()));

        // Each explicit run returned only once the work was done, by itself or by whoever held the lock.
        Assert.Equal(Current, await IndexesAsync(schema, valid: true));
        Assert.Empty(await IndexesAsync(schema, valid: false));
        Assert.Empty((await IndexesAsync(schema, valid: true)).Intersect(Replaced));
    }

    /// <summary>A migrated store that never starts the background build (no lazy migration), so a test can rewind its indexes.</summary>
    private async Task<PostgresReferenceStore> MigratedWithoutBackgroundBuildAsync(string schema)
    {
        var store = Stores.Create(database, schema, autoMigrate: false);
        await store.MigrateAsync();
        return store;
    }

    /// <summary>What Install.v5.sql and Install.v7.sql leave on a table that had rows: version 1's indexes, none of theirs.</summary>
    private Task RewindToVersion1IndexesAsync(string quotedSchema) => ExecuteAsync($"""
        DROP INDEX {quotedSchema}.originals_digest;
        DROP INDEX {quotedSchema}.originals_orphaned;
        DROP INDEX {quotedSchema}.originals_unsettled_ids;
        CREATE INDEX originals_orphans ON {quotedSchema}.originals (orphaned_at, scope) WHERE state = 'live' AND reference_count = 0;
        CREATE INDEX originals_unsettled ON {quotedSchema}.originals (state, updated_at) WHERE state <> 'live';
        """);

    private async Task<string[]> IndexesAsync(string schema, bool valid)
    {
        await using var command = database.DataSource.CreateCommand("""
            SELECT c.relname FROM pg_index AS i
            JOIN pg_class AS c ON c.oid = i.indexrelid JOIN pg_namespace AS n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND i.indisvalid = $2 AND c.relname = ANY ($3) ORDER BY c.relname
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = schema });
        command.Parameters.Add(new NpgsqlParameter { Value = valid });
        command.Parameters.Add(new NpgsqlParameter { Value = Replaced.Concat(Current).ToArray() });
        await using var reader = await command.ExecuteReaderAsync();
        var names = new List<string>();
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }

        return [.. names];
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var command = database.DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<Original> CreateLiveAsync(PostgresReferenceStore store, string holder)
    {
        var digest = TestImages.DigestOf(TestImages.UniquePng());
        var id = Guid.NewGuid();
        await store.InsertPendingAsync(new NewOriginal(id, "", digest, 64, "image/png", $"sha256/{digest.Hex}.{id:N}"));
        return (await store.PromoteAsync(id, holder, claimIfOrphaned: false)).Original;
    }
}
