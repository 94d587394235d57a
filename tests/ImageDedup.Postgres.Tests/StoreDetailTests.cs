using ImageDedup.Testing.Content;
using ImageDedup.Testing.Servers;
using Npgsql;

namespace ImageDedup.Postgres.Tests;

/// <summary>PostgreSQL-specific details: the reconcile members, the database clock and index use.</summary>
public sealed class StoreDetailTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task Stale_rows_storage_keys_clock_and_blob_missing_marks()
    {
        var store = await Stores.CreateMigratedAsync(database);
        var pending = await InsertPendingAsync(store, seed: 1);
        var live = await PromoteAsync(store, await InsertPendingAsync(store, seed: 2), "h/1");
        var claimed = await PromoteAsync(store, await InsertPendingAsync(store, seed: 3), "h/2");
        await store.ReleaseAsync("", "h/2", claimIfOrphaned: true);

        Assert.Empty(await store.ListStaleAsync(OriginalState.Pending, TimeSpan.FromHours(1), 10));
        Assert.Equal(pending.Id, Assert.Single(await store.ListStaleAsync(OriginalState.Pending, TimeSpan.Zero, 10)).Id);
        Assert.Equal(claimed.Id, Assert.Single(await store.ListStaleAsync(OriginalState.Deleting, TimeSpan.Zero, 10)).Id);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.ListStaleAsync(OriginalState.Live, TimeSpan.Zero, 10));

        var keys = await store.FindStorageKeysAsync([pending.StorageKey, live.StorageKey, claimed.StorageKey, "sha256/no/such.key"]);
        Assert.Equal(new[] { pending.StorageKey, live.StorageKey, claimed.StorageKey }.Order(), keys.Order());
        Assert.Empty(await store.FindStorageKeysAsync([]));

        var before = await store.GetTimeAsync();
        Assert.True(await store.MarkBlobMissingAsync(live.Id, missing: true));
        var first = (await store.GetAsync(live.Id))!.BlobMissingSince;
        Assert.NotNull(first);
        Assert.True(first >= before);
        Assert.True(await store.MarkBlobMissingAsync(live.Id, missing: true));
        Assert.Equal(first, (await store.GetAsync(live.Id))!.BlobMissingSince); // kept, not moved
        Assert.True(await store.MarkBlobMissingAsync(live.Id, missing: false));
        Assert.Null((await store.GetAsync(live.Id))!.BlobMissingSince);
        Assert.False(await store.MarkBlobMissingAsync(Guid.NewGuid(), missing: true));
    }

    [Fact]
    public async Task Listing_every_scope_pages_through_all_originals()
    {
        var store = await Stores.CreateMigratedAsync(database);
        var ids = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            var pending = await InsertPendingAsync(store, seed: 10 + i, scope: i % 2 == 0 ? "a" : "b");
            ids.Add(pending.Id);
        }

        var seen = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await store.ListOriginalsAsync(null, cursor, 2);
            seen.AddRange(page.Items.Select(o => o.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        Assert.Equal(ids.Order(), seen.Order());
    }

    /// <summary>
    /// What PostgreSQL does with a lone surrogate when nothing refuses it first (issue 11, item 3):
    /// Npgsql's strict UTF-8 encoder throws <see cref="System.Text.EncoderFallbackException"/> (an
    /// <see cref="ArgumentException"/>) while binding the parameter, before anything is sent, so
    /// PostgreSQL never merged such names the way SQLite did; the connection stays usable. The
    /// store now refuses the name itself, with a message that says why.
    /// </summary>
    [Fact]
    public async Task Npgsql_refuses_to_encode_a_lone_surrogate_and_the_store_refuses_it_first()
    {
        await using (var connection = await database.DataSource.OpenConnectionAsync())
        {
            await using var command = new NpgsqlCommand("SELECT $1::text", connection) { Parameters = { new NpgsqlParameter { Value = "tenant\uDC00" } } };
            var error = await Assert.ThrowsAnyAsync<Exception>(() => command.ExecuteScalarAsync());
            Assert.IsType<System.Text.EncoderFallbackException>(error);

            await using var again = new NpgsqlCommand("SELECT $1::text", connection) { Parameters = { new NpgsqlParameter { Value = "tenant\uFFFD" } } };
            Assert.Equal("tenant\uFFFD", await again.ExecuteScalarAsync());
        }

        var store = await Stores.CreateMigratedAsync(database);
        var refused = await Assert.ThrowsAsync<ArgumentException>(() => store.FindByHolderAsync("tenant\uDC00", "h"));
        Assert.Contains("unpaired surrogate", refused.Message, StringComparison.Ordinal);
        Assert.IsNotType<System.Text.EncoderFallbackException>(refused);
    }

    [Fact]
    public async Task Prefix_release_and_orphan_scan_use_their_indexes()
    {
        var store = await Stores.CreateMigratedAsync(database);
        var s = store.Sql.Schema;
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await using (var off = new NpgsqlCommand("SET enable_seqscan = off", connection))
        {
            await off.ExecuteNonQueryAsync();
        }

        var prefixPlan = await ExplainAsync(connection, $"SELECT r.holder FROM {s}.\"references\" AS r WHERE r.scope = 'x' AND r.holder >= 'projects/7/' AND r.holder < 'projects/70' ORDER BY r.holder LIMIT 100 FOR UPDATE");
        Assert.Contains("references_pkey", prefixPlan, StringComparison.Ordinal);
        Assert.Contains("holder >= 'projects/7/'", prefixPlan, StringComparison.Ordinal);
        Assert.Contains("holder < 'projects/70'", prefixPlan, StringComparison.Ordinal);

        var orphanPlan = await ExplainAsync(connection, $"SELECT o.id FROM {s}.originals AS o WHERE o.state = 'live' AND o.reference_count = 0 AND o.orphaned_at <= now() ORDER BY o.orphaned_at LIMIT 10");
        Assert.Contains("originals_orphaned", orphanPlan, StringComparison.Ordinal);
        Assert.DoesNotContain("Sort", orphanPlan, StringComparison.Ordinal);

        var stalePlan = await ExplainAsync(connection, store.Sql.ListStale.Replace("$1", "'pending'", StringComparison.Ordinal).Replace("$2", "interval '1 minute'", StringComparison.Ordinal).Replace("$3", "100", StringComparison.Ordinal));
        Assert.Contains("originals_unsettled_ids", stalePlan, StringComparison.Ordinal);
    }

    /// <summary>
    /// The engine always releases a segment prefix, which ends in '/', so its upper bound exists and the
    /// bounded statement runs. (A prefix ending in a character without a successor takes the open-ended
    /// statement, which may read the rest of the scope; only a direct caller of the store can ask for one.)
    /// </summary>
    [Theory]
    [InlineData("a/")]
    [InlineData("projects/7/")]
    public async Task A_prefix_release_reads_the_holders_it_releases_not_the_rest_of_the_scope(string prefix)
    {
        var store = await Stores.CreateMigratedAsync(database);
        var s = store.Sql.Schema;
        var original = await PromoteAsync(store, await InsertPendingAsync(store, 11), prefix + "0");
        // 10 holders under the prefix and 5,000 after it in the same scope (holders compare byte-wise).
        await using (var seed = database.DataSource.CreateCommand($"""
            WITH added AS (
                INSERT INTO {s}."references" (scope, holder, original_id)
                SELECT '', $2 || g, $1 FROM generate_series(1, 9) AS g
                UNION ALL SELECT '', 'z/' || g, $1 FROM generate_series(1, 5000) AS g
                RETURNING 1)
            UPDATE {s}.originals SET reference_count = reference_count + (SELECT count(*) FROM added) WHERE id = $1
            """))
        {
            seed.Parameters.Add(new NpgsqlParameter { Value = original.Id });
            seed.Parameters.Add(new NpgsqlParameter { Value = prefix });
            await seed.ExecuteNonQueryAsync();
        }

        await using var connection = await database.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        // A pooled connection soon runs plpgsql's statements on generic plans, where a parameter is no
        // constant the planner could fold into an index bound: the plans a long-lived server runs.
        await using (var generic = new NpgsqlCommand("SET LOCAL plan_cache_mode = force_generic_plan", connection, transaction))
        {
            await generic.ExecuteNonQueryAsync();
        }

        var before = await IndexEntriesReadAsync(connection, transaction, s);
        // The store's own statement, as the engine's loop makes it: a batch larger than what is left.
        await using (var release = new NpgsqlCommand(store.Sql.ReleasePrefix, connection, transaction))
        {
            release.Parameters.Add(new NpgsqlParameter { Value = "" });
            release.Parameters.Add(new NpgsqlParameter { Value = prefix });
            release.Parameters.Add(new NpgsqlParameter { Value = (object?)Shared.HolderRange.UpperBound(prefix) ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            release.Parameters.Add(new NpgsqlParameter { Value = 500 });
            release.Parameters.Add(new NpgsqlParameter { Value = false });
            await release.ExecuteNonQueryAsync();
        }

        var read = await IndexEntriesReadAsync(connection, transaction, s) - before;
        Assert.InRange(read, 10, 200);
    }

    /// <summary>Rows of the references table fetched through an index so far in this transaction (the backend's counts, unflushed ones included, hence differences).</summary>
    private static async Task<long> IndexEntriesReadAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string quotedSchema)
    {
        await using var command = new NpgsqlCommand($"SELECT coalesce(sum(idx_tup_fetch), 0)::bigint FROM pg_stat_xact_user_tables WHERE relid = to_regclass('{quotedSchema}.\"references\"')", connection, transaction);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<string> ExplainAsync(NpgsqlConnection connection, string sql)
    {
        await using var explain = new NpgsqlCommand("EXPLAIN " + sql, connection);
        await using var reader = await explain.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }

        return string.Join('\n', lines);
    }

    private static async Task<NewOriginal> InsertPendingAsync(PostgresReferenceStore store, int seed, string scope = "")
    {
        var digest = TestImages.DigestOf(TestImages.Png(seed, 64));
        var id = Guid.NewGuid();
        var original = new NewOriginal(id, scope, digest, 64, "image/png", $"sha256/{digest.Hex}.{id:N}");
        await store.InsertPendingAsync(original);
        return original;
    }

    private static async Task<Original> PromoteAsync(PostgresReferenceStore store, NewOriginal pending, string holder)
        => (await store.PromoteAsync(pending.Id, holder, claimIfOrphaned: false)).Original;
}
