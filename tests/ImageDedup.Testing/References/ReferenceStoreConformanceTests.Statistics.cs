using CsCheck;
using ImageDedup.Storage;
using Xunit;

namespace ImageDedup.Testing.References;

/// <summary>
/// Statistics are counters the store keeps with every change (docs/statistics-and-quotas.md): after
/// any sequence of operations they equal a recount of the originals, per scope and overall.
/// </summary>
public abstract partial class ReferenceStoreConformanceTests
{
    /// <summary>One step of the random sequence: an operation and the choices it takes.</summary>
    internal sealed record StatisticsStep(int Operation, bool InOtherScope, int Seed, int Holder, bool Claim);

    private static readonly Gen<StatisticsStep> Step =
        Gen.Select(Gen.Int[0, 9], Gen.Bool, Gen.Int[1, 4], Gen.Int[0, 5], Gen.Bool)
            .Select((op, other, seed, holder, claim) => new StatisticsStep(op, other, seed, holder, claim));

    [Fact]
    public async Task Statistics_equal_a_recount_after_any_sequence_of_ingest_attach_release_collect_and_claim()
    {
        await Step.Array[1, 40].SampleAsync(
            async steps =>
            {
                var store = await CreateStoreAsync();
                foreach (var step in steps)
                {
                    await ApplyAsync(store, step);
                }

                await AssertStatisticsEqualRecountAsync(store);
            },
            iter: 12,
            threads: 1);
    }

    [Fact]
    public async Task Statistics_equal_a_recount_after_concurrent_writers_in_one_scope()
    {
        var store = await CreateStoreAsync();

        // More writers than a PostgreSQL scope had counter slots before schema version 9 (16).
        await Task.WhenAll(Enumerable.Range(0, 20).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 6; i++)
            {
                var step = new StatisticsStep(Operation: (w + i) % 10, InOtherScope: false, Seed: 1 + ((w * 7 + i) % 4), Holder: (w + i) % 6, Claim: i % 2 == 0);
                await ApplyAsync(store, step, holderPrefix: $"w{w}/");
            }
        })));

        await AssertStatisticsEqualRecountAsync(store);
    }

    [Fact]
    public async Task Statistics_of_a_fresh_store_are_complete_and_zero()
    {
        var store = await CreateStoreAsync();

        var all = await store.GetStatisticsAsync(scope: null);

        Assert.True(all.IsComplete);
        Assert.Equal(await StatisticsRecount.OfAsync(store, null), all);
    }

    [Fact]
    public async Task Pending_originals_are_counted_apart_from_live_ones()
    {
        var store = await CreateStoreAsync();
        var pending = await InsertPendingAsync(store, Scope, seed: 1, length: 700);
        await CreateLiveAsync(store, Scope, seed: 2, "a/1", length: 50);

        var stats = await store.GetStatisticsAsync(Scope);
        Assert.Equal(1, stats.PendingOriginals);
        Assert.Equal(700, stats.PendingBytes);
        Assert.Equal(1, stats.UniqueOriginals);
        Assert.Equal(50, stats.StoredBytes);

        await store.DeletePendingAsync(pending.Id);
        stats = await store.GetStatisticsAsync(Scope);
        Assert.Equal(0, stats.PendingOriginals);
        Assert.Equal(0, stats.PendingBytes);
    }

    [Fact]
    public async Task Counters_of_a_catalogue_from_before_them_fill_in_after_the_upgrade_under_traffic_and_equal_a_recount()
    {
        var store = await CreateStoreAsync();
        for (var i = 0; i < 120; i++)
        {
            await ApplyAsync(store, new StatisticsStep(Operation: i % 10, InOtherScope: i % 3 == 0, Seed: 1 + (i % 4), Holder: i % 6, Claim: i % 4 != 1));
        }

        // The state an upgrade leaves over rows that predate the counters: none of them counted,
        // the backfill not begun. The migration itself counts nothing, so it holds no lock for a scan.
        await ForgetCountersAsync(store);
        var before = await store.GetStatisticsAsync(scope: null);
        Assert.False(before.IsComplete);

        // Traffic goes on while the backfill runs (MigrateAsync runs it to the end).
        var traffic = Task.Run(async () =>
        {
            for (var i = 0; i < 60; i++)
            {
                await ApplyAsync(store, new StatisticsStep(Operation: (i * 7) % 10, InOtherScope: i % 2 == 0, Seed: 1 + (i % 4), Holder: i % 6, Claim: i % 3 != 0), holderPrefix: "t/");
            }
        });
        await store.MigrateAsync();
        await traffic;

        Assert.True((await store.GetStatisticsAsync(scope: null)).IsComplete);
        await AssertStatisticsEqualRecountAsync(store);
    }

    /// <summary>
    /// Puts the store's catalogue in the state its counters' migration leaves over existing rows:
    /// every original uncounted, the counters empty, the backfill not begun.
    /// </summary>
    protected abstract Task ForgetCountersAsync(IReferenceStore store);

    /// <summary>Asserts that each scope's figures, and the overall ones, equal a recount.</summary>
    protected static async Task AssertStatisticsEqualRecountAsync(IReferenceStore store)
    {
        foreach (var scope in new[] { Scope, OtherScope }.Union(await StatisticsRecount.ScopesAsync(store)))
        {
            Assert.Equal(await StatisticsRecount.OfAsync(store, scope), await store.GetStatisticsAsync(scope));
        }

        Assert.Equal(await StatisticsRecount.OfAsync(store, null), await store.GetStatisticsAsync(null));
    }

    private static async Task ApplyAsync(IReferenceStore store, StatisticsStep step, string holderPrefix = "h/")
    {
        var scope = step.InOtherScope ? OtherScope : Scope;
        var holder = holderPrefix + step.Holder;
        switch (step.Operation)
        {
            case 0: // an ingest that stores new bytes (or loses the race to a live original of them)
            case 1:
                var pending = await InsertPendingAsync(store, scope, step.Seed, LengthOf(step.Seed));
                await store.PromoteAsync(pending.Id, step.Claim ? holder : null, step.Claim);
                break;
            case 2: // an ingest still under way, or one that failed
                var inFlight = await InsertPendingAsync(store, scope, step.Seed, LengthOf(step.Seed));
                if (step.Claim)
                {
                    await store.DeletePendingAsync(inFlight.Id);
                }

                break;
            case 3: // an ingest of known bytes
                await store.TryAttachAsync(scope, DigestOf(step.Seed), step.Claim ? holder : null, step.Claim);
                break;
            case 4: // add a reference to any live original of the scope
                if (await AnyLiveAsync(store, scope, step.Seed) is { } target)
                {
                    try
                    {
                        var change = await store.AddReferenceAsync(scope, holder, target.Id, step.Claim);
                        await FinishAsync(store, change.Displaced);
                    }
                    catch (OriginalNotFoundException)
                    {
                        // Another writer claimed it between the lookup and the add: the store's
                        // refusal is the contract, and the counters must still add up.
                    }
                }

                break;
            case 5:
                var released = await store.ReleaseAsync(scope, holder, step.Claim);
                if (released.DeletionClaimed)
                {
                    await FinishAsync(store, released.Original);
                }

                break;
            case 6:
                var batch = await store.ReleasePrefixBatchAsync(scope, holderPrefix, 3, step.Claim);
                foreach (var claimed in batch.Claimed.Where((_, i) => i % 2 == 0))
                {
                    await store.DeleteClaimedAsync(claimed.Id); // the others stay deleting, as after a crash
                }

                break;
            case 7: // garbage collection
                foreach (var claimed in await store.ClaimOrphansAsync(step.Claim ? null : scope, TimeSpan.Zero, 2))
                {
                    await store.DeleteClaimedAsync(claimed.Id);
                }

                break;
            case 8: // a claim whose deleter died: the row stays deleting
                await store.ClaimOrphansAsync(scope, TimeSpan.Zero, 1);
                break;
            default: // verify marks a blob missing, or clears the mark: no figure changes
                if (await AnyLiveAsync(store, scope, step.Seed) is { } marked)
                {
                    await store.MarkBlobMissingAsync(marked.Id, step.Claim);
                }

                break;
        }
    }

    private static async Task FinishAsync(IReferenceStore store, Original? claimed)
    {
        if (claimed is { State: OriginalState.Deleting })
        {
            await store.DeleteClaimedAsync(claimed.Id);
        }
    }

    private static async Task<Original?> AnyLiveAsync(IReferenceStore store, string scope, int seed)
    {
        var page = await store.ListOriginalsAsync(scope, null, 100);
        var live = page.Items.Where(o => o.State == OriginalState.Live).ToList();
        return live.Count == 0 ? null : live[seed % live.Count];
    }

    /// <summary>One length per seed, so that the same seed is the same digest and ingests of it de-duplicate.</summary>
    private static int LengthOf(int seed) => 97 * seed;

    private static ContentDigest DigestOf(int seed) => Content.TestImages.DigestOf(Content.TestImages.Png(seed, LengthOf(seed)));
}
