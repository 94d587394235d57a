using CsCheck;
using ImageDedup.Storage;
using Xunit;

namespace ImageDedup.Testing.References;

/// <summary>
/// The group-commit methods of batch ingest: each is one transaction over many rows whose items
/// behave exactly as the single-row methods called one after another in list order. The
/// properties check that against a second store driven one row at a time.
/// </summary>
public abstract partial class ReferenceStoreConformanceTests
{
    /// <summary>One attach request of a generated group: which content (seed), which holder (or none; a group names a holder once).</summary>
    internal sealed record AttachStep(int Seed, int? Holder);

    /// <summary>One promotion of a generated group: a pending row of a seed, or a row that is not pending.</summary>
    internal sealed record PromoteStep(int Seed, int? Holder, int Kind);

    [Fact]
    public async Task A_group_of_attachments_does_what_each_attach_does_in_order()
    {
        var gen = Gen.Select(
            Gen.Int[1, 4].Array[0, 4],
            Gen.Select(Gen.Int[1, 6], Gen.Int[0, 5].Nullable()).Select((seed, holder) => new AttachStep(seed, holder)).Array[1, 12],
            Gen.Bool);
        await gen.SampleAsync(
            async (live, generated, claim) =>
            {
                var steps = OnceEach(generated, s => s.Holder, s => s with { Holder = null });
                var (grouped, single) = (await CreateStoreAsync(), await CreateStoreAsync());
                foreach (var store in new[] { grouped, single })
                {
                    foreach (var seed in live.Distinct())
                    {
                        await CreateLiveAsync(store, Scope, seed, $"h/{seed}");
                    }
                }

                var requests = steps.Select(s => new DigestAttachment(DigestOfSeed(s.Seed), s.Holder is { } h ? $"h/{h}" : null)).ToList();
                var changes = await grouped.TryAttachManyAsync(Scope, requests, claim);
                var expected = new List<ReferenceChange?>();
                foreach (var request in requests)
                {
                    expected.Add(await single.TryAttachAsync(Scope, request.Digest, request.Holder, claim));
                }

                Assert.Equal(expected.Select(Describe), changes.Select(Describe));
                Assert.Equal(await HoldersAsync(single), await HoldersAsync(grouped));
                await AssertStatisticsEqualRecountAsync(grouped);
            },
            iter: 10,
            threads: 1);
    }

    [Fact]
    public async Task A_group_of_promotions_does_what_each_promotion_does_in_order()
    {
        // Kind 0: a fresh pending row of the seed (two of one seed race: the later loses); 1: a row
        // already live; 2: an identifier no row has.
        var gen = Gen.Select(
            Gen.Int[1, 4].Array[0, 3],
            Gen.Select(Gen.Int[1, 5], Gen.Int[0, 4].Nullable(), Gen.Int[0, 5].Select(k => k < 4 ? 0 : k - 3)).Select((seed, holder, kind) => new PromoteStep(seed, holder, kind)).Array[1, 10],
            Gen.Bool);
        await gen.SampleAsync(
            async (live, generated, claim) =>
            {
                var steps = OnceEach(generated, s => s.Holder, s => s with { Holder = null });
                var (grouped, single) = (await CreateStoreAsync(), await CreateStoreAsync());
                var ids = new Dictionary<IReferenceStore, List<Guid>>();
                foreach (var store in new[] { grouped, single })
                {
                    var mine = new List<Guid>();
                    var liveIds = new Dictionary<int, Guid>();
                    foreach (var seed in live.Distinct())
                    {
                        liveIds[seed] = (await CreateLiveAsync(store, Scope, seed, $"h/{seed}")).Id;
                    }

                    foreach (var step in steps)
                    {
                        mine.Add(step.Kind switch
                        {
                            0 => (await InsertPendingAsync(store, Scope, step.Seed)).Id,
                            1 when liveIds.TryGetValue(step.Seed, out var id) && !mine.Contains(id) => id,
                            _ => Guid.NewGuid(),
                        });
                    }

                    ids[store] = mine;
                }

                var changes = await grouped.PromoteManyAsync([.. steps.Select((s, i) => new PendingPromotion(ids[grouped][i], s.Holder is { } h ? $"h/{h}" : null))], claim);
                var expected = new List<ReferenceChange?>();
                for (var i = 0; i < steps.Count; i++)
                {
                    try
                    {
                        expected.Add(await single.PromoteAsync(ids[single][i], steps[i].Holder is { } h ? $"h/{h}" : null, claim));
                    }
                    catch (InvalidOperationException)
                    {
                        expected.Add(null);
                    }
                }

                Assert.Equal(
                    expected.Select((c, i) => Describe(c) + (c?.Original.Id == ids[single][i] ? " self" : string.Empty)),
                    changes.Select((c, i) => Describe(c) + (c?.Original.Id == ids[grouped][i] ? " self" : string.Empty)));
                Assert.Equal(await HoldersAsync(single), await HoldersAsync(grouped));
                Assert.Equal(await StatesAsync(single), await StatesAsync(grouped));
                await AssertStatisticsEqualRecountAsync(grouped);
            },
            iter: 10,
            threads: 1);
    }

    [Fact]
    public async Task A_group_of_pending_inserts_is_all_or_nothing()
    {
        var store = await CreateStoreAsync();
        var first = NewPending(seed: 1, length: 300);
        var second = NewPending(seed: 2, length: 400);

        await store.InsertPendingManyAsync([first, second]);

        foreach (var inserted in new[] { first, second })
        {
            var row = await store.GetAsync(inserted.Id);
            Assert.NotNull(row);
            Assert.Equal(OriginalState.Pending, row.State);
            Assert.Equal(inserted.Digest, row.Digest);
            Assert.Equal(inserted.Length, row.Length);
            Assert.Equal(inserted.StorageKey, row.StorageKey);
            Assert.NotNull(row.OrphanedAt);
        }

        // The last row reuses a storage key: the whole group fails and none of it is inserted.
        var third = NewPending(seed: 3);
        await Assert.ThrowsAnyAsync<Exception>(() => store.InsertPendingManyAsync([third, first with { Id = Guid.NewGuid() }]));
        Assert.Null(await store.GetAsync(third.Id));
        var stats = await store.GetStatisticsAsync(Scope);
        Assert.Equal(2, stats.PendingOriginals);
        Assert.Equal(700, stats.PendingBytes);
    }

    [Fact]
    public async Task Group_claims_and_deletions_touch_only_rows_in_their_state()
    {
        var store = await CreateStoreAsync();
        var pending1 = await InsertPendingAsync(store, Scope, seed: 1);
        var pending2 = await InsertPendingAsync(store, Scope, seed: 2);
        var live = await CreateLiveAsync(store, Scope, seed: 3, "h/1");
        var deleting = await InsertPendingAsync(store, Scope, seed: 4);
        Assert.NotNull(await store.ClaimPendingAsync(deleting.Id));
        Guid[] all = [pending1.Id, pending2.Id, live.Id, deleting.Id, Guid.NewGuid()];

        var claimed = await store.ClaimPendingManyAsync(all);

        Assert.Equal(new[] { pending1.Id, pending2.Id }.Order(), claimed.Select(o => o.Id).Order());
        Assert.All(claimed, o => Assert.Equal(OriginalState.Deleting, o.State));
        Assert.Empty(await store.ClaimPendingManyAsync(all));

        Assert.Equal(3, await store.DeleteClaimedManyAsync(all));

        Assert.Equal(live.Id, Assert.Single((await store.ListOriginalsAsync(null, null, 100)).Items).Id);
        Assert.Equal(0, await store.DeleteClaimedManyAsync(all));
        await AssertStatisticsEqualRecountAsync(store);
    }

    [Fact]
    public async Task Empty_groups_change_nothing()
    {
        var store = await CreateStoreAsync();
        await CreateLiveAsync(store, Scope, seed: 1, "h/1");

        Assert.Empty(await store.TryAttachManyAsync(Scope, [], claimIfOrphaned: true));
        await store.InsertPendingManyAsync([]);
        Assert.Empty(await store.PromoteManyAsync([], claimIfOrphaned: true));
        Assert.Empty(await store.ClaimPendingManyAsync([]));
        Assert.Equal(0, await store.DeleteClaimedManyAsync([]));

        Assert.Single((await store.ListOriginalsAsync(null, null, 100)).Items);
    }

    [Fact]
    public async Task Group_arguments_are_checked_before_anything_is_written()
    {
        var store = await CreateStoreAsync();
        var good = NewPending(seed: 1);

        await Assert.ThrowsAsync<ArgumentNullException>(() => store.TryAttachManyAsync(Scope, null!, claimIfOrphaned: false));
        await Assert.ThrowsAsync<ArgumentException>(() => store.TryAttachManyAsync(Scope, [new DigestAttachment(DigestOfSeed(1), "h/\uD800")], claimIfOrphaned: false));
        await Assert.ThrowsAsync<ArgumentException>(() => store.TryAttachManyAsync(Scope, [new DigestAttachment(default, "h/1")], claimIfOrphaned: false));
        await Assert.ThrowsAsync<ArgumentException>(() => store.InsertPendingManyAsync([good, good with { Id = Guid.NewGuid(), Digest = default }]));
        await Assert.ThrowsAsync<ArgumentException>(() => store.PromoteManyAsync([new PendingPromotion(good.Id, string.Empty)], claimIfOrphaned: false));
        await Assert.ThrowsAsync<ArgumentException>(() => store.TryAttachManyAsync(Scope, [new DigestAttachment(DigestOfSeed(1), "h/1"), new DigestAttachment(DigestOfSeed(2), "h/1")], claimIfOrphaned: false));
        await Assert.ThrowsAsync<ArgumentException>(() => store.PromoteManyAsync([new PendingPromotion(good.Id, "h/1"), new PendingPromotion(Guid.NewGuid(), "h/1")], claimIfOrphaned: false));
        await Assert.ThrowsAsync<ArgumentException>(() => store.PromoteManyAsync([new PendingPromotion(good.Id, "h/1"), new PendingPromotion(good.Id, "h/2")], claimIfOrphaned: false));
        await Assert.ThrowsAsync<ArgumentNullException>(() => store.ClaimPendingManyAsync(null!));
        await Assert.ThrowsAsync<ArgumentNullException>(() => store.DeleteClaimedManyAsync(null!));

        Assert.Empty((await store.ListOriginalsAsync(null, null, 100)).Items);
    }

    /// <summary>The steps with each holder kept at its first use only (a group names a holder once).</summary>
    private static List<T> OnceEach<T>(IEnumerable<T> steps, Func<T, int?> holder, Func<T, T> withoutHolder)
    {
        var seen = new HashSet<int>();
        return [.. steps.Select(s => holder(s) is { } h && !seen.Add(h) ? withoutHolder(s) : s)];
    }

    private static ContentDigest DigestOfSeed(int seed) => Content.TestImages.DigestOf(Content.TestImages.Png(seed, 256));

    private static NewOriginal NewPending(int seed, int length = 256)
    {
        var digest = DigestOfSeed(seed);
        return new NewOriginal(Guid.NewGuid(), Scope, digest, length, "image/png", $"sha256/{digest.Hex}.{Guid.NewGuid():N}");
    }

    /// <summary>A change as the contract defines it, without the identifiers two stores cannot share.</summary>
    private static string Describe(ReferenceChange? change)
        => change is null ? "none"
            : $"{change.Original.Digest.Hex[..8]} {change.Original.State} refs={change.Original.ReferenceCount} orphan={change.Original.OrphanedAt is not null} added={change.Added} "
              + (change.Displaced is { } d ? $"displaced {d.Digest.Hex[..8]} {d.State} refs={d.ReferenceCount}" : "no displaced");

    private static async Task<List<string>> HoldersAsync(IReferenceStore store)
    {
        var holders = new List<string>();
        for (var h = 0; h < 6; h++)
        {
            var original = await store.FindByHolderAsync(Scope, $"h/{h}");
            holders.Add($"h/{h} -> {original?.Digest.Hex[..8] ?? "none"}");
        }

        return holders;
    }

    private static async Task<List<string>> StatesAsync(IReferenceStore store)
        => [.. (await store.ListOriginalsAsync(null, null, 1000)).Items
            .Select(o => $"{o.Digest.Hex[..8]} {o.State} refs={o.ReferenceCount}")
            .Order(StringComparer.Ordinal)];
}
