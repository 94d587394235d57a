using System.Collections.Concurrent;
using System.Diagnostics;
using ImageDedup.Testing.Content;
using ImageDedup.Testing.Servers;
using Npgsql;
using Xunit.Abstractions;

namespace ImageDedup.Postgres.Tests;

/// <summary>
/// Contention on real rows: one hot original, overlapping prefix releases and re-pointing. Any deadlock
/// PostgreSQL detects (40P01) or serialization error surfaces as a failed task, so "no exception" is the check.
/// </summary>
public sealed class ConcurrencyTests(PostgresDatabase database, ITestOutputHelper output) : IClassFixture<PostgresDatabase>
{
    private const string Scope = "tenant";

    [Fact]
    public async Task A_hundred_holders_adding_and_releasing_one_original_end_with_the_exact_count()
    {
        var store = await Stores.CreateMigratedAsync(database);
        var hot = await CreateLiveAsync(store, seed: 1, "anchor");
        const int holders = 100;
        using var start = new ManualResetEventSlim();
        var watch = new Stopwatch();

        var tasks = Enumerable.Range(0, holders).Select(h => Task.Run(async () =>
        {
            start.Wait();
            var holder = $"users/{h}/avatar";
            for (var round = 0; round < 3; round++)
            {
                await store.AddReferenceAsync(Scope, holder, hot.Id, claimIfOrphaned: true);
                await store.AddReferenceAsync(Scope, holder, hot.Id, claimIfOrphaned: true); // a retry
                await store.TryAttachAsync(Scope, hot.Digest, holder + "/copy", claimIfOrphaned: true);
                await store.ReleaseAsync(Scope, holder + "/copy", claimIfOrphaned: true);
                if (h % 2 == 0 || round < 2)
                {
                    await store.ReleaseAsync(Scope, holder, claimIfOrphaned: true);
                    await store.ReleaseAsync(Scope, holder, claimIfOrphaned: true); // a retry
                }
            }
        })).ToList();
        watch.Start();
        start.Set();
        await Task.WhenAll(tasks);
        watch.Stop();
        output.WriteLine($"hot original: {holders} holders x 3 rounds x 6 calls = {holders * 18} store calls in {watch.ElapsedMilliseconds} ms");

        var row = await store.GetAsync(hot.Id);
        Assert.Equal(OriginalState.Live, row!.State);
        Assert.Equal(1 + (holders / 2), row.ReferenceCount);
        Assert.Equal(row.ReferenceCount, await CountReferenceRowsAsync(store, hot.Id));
    }

    [Fact]
    public async Task Overlapping_prefix_releases_on_shared_originals_do_not_deadlock_and_release_each_reference_once()
    {
        var store = await Stores.CreateMigratedAsync(database);
        var originals = new List<Original>();
        for (var i = 0; i < 6; i++)
        {
            originals.Add(await CreateLiveAsync(store, seed: 10 + i, holder: null));
        }

        // 8 projects x 25 images, each image on one of the shared originals, interleaved so every
        // batch touches several originals in an order unrelated to their ids.
        var total = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, 8), async (p, ct) =>
        {
            for (var i = 0; i < 25; i++)
            {
                await store.AddReferenceAsync(Scope, $"projects/{p}/images/{i:D2}", originals[(p * 7 + i * 5) % originals.Count].Id, claimIfOrphaned: false, cancellationToken: ct);
            }
        });
        total = 8 * 25;

        var released = 0;
        var claimed = new ConcurrentBag<Guid>();
        string[] prefixes = ["projects/", "projects/0/", "projects/1/", "projects/2/", "projects/3/", "projects/", "projects/4/", "projects/5/", "projects/6/", "projects/7/", "projects/"];
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(prefixes.Select(prefix => Task.Run(async () =>
        {
            while (true)
            {
                var batch = await store.ReleasePrefixBatchAsync(Scope, prefix, batchSize: 7, claimIfOrphaned: true);
                Interlocked.Add(ref released, batch.Released);
                foreach (var original in batch.Claimed)
                {
                    claimed.Add(original.Id);
                }

                if (batch.Released < 7)
                {
                    return;
                }
            }
        })));
        watch.Stop();
        output.WriteLine($"{prefixes.Length} overlapping prefix releases of {total} references on {originals.Count} originals: {watch.ElapsedMilliseconds} ms");

        Assert.Equal(total, released);
        Assert.Equal(originals.Count, claimed.Count);
        Assert.Equal(originals.Select(o => o.Id).Order(), claimed.Order());
        foreach (var original in originals)
        {
            var row = await store.GetAsync(original.Id);
            Assert.Equal(OriginalState.Deleting, row!.State);
            Assert.Equal(0, row.ReferenceCount);
            Assert.Equal(0, await CountReferenceRowsAsync(store, original.Id));
        }
    }

    [Fact]
    public async Task Prefix_releases_racing_with_repointing_holders_keep_counts_equal_to_reference_rows()
    {
        var store = await Stores.CreateMigratedAsync(database);
        var a = await CreateLiveAsync(store, seed: 20, holder: "keep/a");
        var b = await CreateLiveAsync(store, seed: 21, holder: "keep/b");
        for (var i = 0; i < 60; i++)
        {
            await store.AddReferenceAsync(Scope, $"albums/{i % 3}/photos/{i:D2}", i % 2 == 0 ? a.Id : b.Id, claimIfOrphaned: false);
        }

        var repoint = Task.Run(async () =>
        {
            // Moves holders between the two originals (locks both, in id order) while the releases run.
            for (var i = 0; i < 60; i++)
            {
                await store.AddReferenceAsync(Scope, $"albums/{i % 3}/photos/{i:D2}", i % 2 == 0 ? b.Id : a.Id, claimIfOrphaned: false);
                await store.AddReferenceAsync(Scope, $"keep/{i}", i % 2 == 0 ? a.Id : b.Id, claimIfOrphaned: false);
            }
        });
        var releases = new[] { "albums/", "albums/0/", "albums/1/", "albums/2/" }.Select(prefix => Task.Run(async () =>
        {
            while ((await store.ReleasePrefixBatchAsync(Scope, prefix, batchSize: 5, claimIfOrphaned: false)).Released == 5)
            {
            }
        }));
        await Task.WhenAll(releases.Append(repoint));

        // A re-pointed holder may have been re-created after its prefix passed; release the rest.
        while ((await store.ReleasePrefixBatchAsync(Scope, "albums/", batchSize: 50, claimIfOrphaned: false)).Released > 0)
        {
        }

        foreach (var original in new[] { a, b })
        {
            var row = await store.GetAsync(original.Id);
            Assert.Equal(OriginalState.Live, row!.State);
            Assert.Equal(await CountReferenceRowsAsync(store, original.Id), row.ReferenceCount);
        }

        Assert.Equal(62, (await store.GetAsync(a.Id))!.ReferenceCount + (await store.GetAsync(b.Id))!.ReferenceCount);
    }

    [Fact]
    public async Task Racing_ingests_of_the_same_bytes_end_with_one_live_original_holding_every_holder()
    {
        var store = await Stores.CreateMigratedAsync(database);
        var digest = TestImages.DigestOf(TestImages.Png(30, 64));
        var pending = Enumerable.Range(0, 8).Select(_ => Guid.NewGuid()).ToList();
        foreach (var id in pending)
        {
            await store.InsertPendingAsync(new NewOriginal(id, Scope, digest, 64, "image/png", $"sha256/{digest.Hex}.{id:N}"));
        }

        var changes = await Task.WhenAll(pending.Select((id, i) => Task.Run(() => store.PromoteAsync(id, $"uploads/{i}", claimIfOrphaned: true))));

        var winner = Assert.Single(changes.Select(c => c.Original.Id).Distinct());
        Assert.Contains(winner, pending);
        Assert.Equal(8, (await store.GetAsync(winner))!.ReferenceCount);
        Assert.Equal(8, await CountReferenceRowsAsync(store, winner));
        foreach (var loser in pending.Where(id => id != winner))
        {
            // Claimed, not deleted: the row names its blob until the engine has deleted it.
            Assert.Equal(OriginalState.Deleting, (await store.GetAsync(loser))?.State);
        }
    }

    [Fact]
    public async Task Collectors_racing_with_attaches_never_claim_a_referenced_original()
    {
        var store = await Stores.CreateMigratedAsync(database);
        var orphans = new List<Original>();
        for (var i = 0; i < 40; i++)
        {
            orphans.Add(await CreateLiveAsync(store, seed: 100 + i, holder: null));
        }

        var claimed = new ConcurrentBag<Guid>();
        var attached = new ConcurrentBag<Guid>();
        var collectors = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            for (var round = 0; round < 20; round++)
            {
                foreach (var original in await store.ClaimOrphansAsync(Scope, TimeSpan.Zero, batchSize: 3))
                {
                    claimed.Add(original.Id);
                }
            }
        }));
        var attaches = Task.Run(async () =>
        {
            foreach (var original in orphans)
            {
                try
                {
                    await store.AddReferenceAsync(Scope, $"late/{original.Id:N}", original.Id, claimIfOrphaned: true);
                    attached.Add(original.Id);
                }
                catch (OriginalNotFoundException)
                {
                    // claimed first: the engine would ingest a fresh original
                }
            }
        });
        await Task.WhenAll(collectors.Append(attaches));

        Assert.Equal(claimed.Count, claimed.Distinct().Count());
        Assert.Empty(claimed.Intersect(attached));
        Assert.Equal(orphans.Count, claimed.Count + attached.Count + (await store.ClaimOrphansAsync(Scope, TimeSpan.Zero, 100)).Count);
        foreach (var id in attached)
        {
            var row = await store.GetAsync(id);
            Assert.Equal(OriginalState.Live, row!.State);
            Assert.Equal(1, row.ReferenceCount);
        }
    }

    private static async Task<Original> CreateLiveAsync(PostgresReferenceStore store, int seed, string? holder)
    {
        var digest = TestImages.DigestOf(TestImages.Png(seed, 64));
        var id = Guid.NewGuid();
        await store.InsertPendingAsync(new NewOriginal(id, Scope, digest, 64, "image/png", $"sha256/{digest.Hex}.{id:N}"));
        return (await store.PromoteAsync(id, holder, claimIfOrphaned: false)).Original;
    }

    private static async Task<long> CountReferenceRowsAsync(PostgresReferenceStore store, Guid originalId)
    {
        await using var command = store.DataSource.CreateCommand($"SELECT count(*) FROM {store.Sql.Schema}.\"references\" WHERE original_id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = originalId });
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
