using ImageDedup.Storage;
using ImageDedup.Testing.Content;
using Xunit;

namespace ImageDedup.Testing.References;

/// <summary>
/// The takedown capability (<see cref="ITakedownStore"/>), specified once: a provider whose reference
/// store offers it derives a concrete class. The block list is enforced by the store's own attach,
/// promotion and add-reference statements, refusing without writing anything; a purge claims an
/// original whatever its references, releases them in batches, and only then may the row go.
/// </summary>
public abstract class TakedownConformanceTests : ReferenceStoreTestBase
{
    private const string Who = "moderator@example.org";

    /// <summary>A fresh, migrated store, which must offer the capability.</summary>
    protected async Task<ITakedownStore> CreateTakedownStoreAsync()
        => Assert.IsAssignableFrom<ITakedownStore>(await CreateStoreAsync());

    [Fact]
    public async Task A_blocked_digest_is_refused_by_attach_and_add_reference_and_nothing_changes()
    {
        var store = await CreateTakedownStoreAsync();
        var live = await CreateLiveAsync(store, Scope, seed: 1, "h/1");
        var other = await CreateLiveAsync(store, Scope, seed: 2, "h/2");

        var entry = await store.BlockAsync(Scope, live.Digest, Who, "DMCA notice 17");

        Assert.Equal(new BlockListEntry(Scope, live.Digest, "DMCA notice 17", Who, entry.BlockedAt), entry);
        var attach = await Assert.ThrowsAsync<BlockedContentException>(() => store.TryAttachAsync(Scope, live.Digest, "h/3", claimIfOrphaned: true));
        Assert.Equal(live.Digest, attach.Digest);
        Assert.Equal(Scope, attach.Scope);
        await Assert.ThrowsAsync<BlockedContentException>(() => store.TryAttachAsync(Scope, live.Digest, null, claimIfOrphaned: true));
        await Assert.ThrowsAsync<BlockedContentException>(() => store.AddReferenceAsync(Scope, "h/3", live.Id, claimIfOrphaned: true));

        // A refused re-point leaves the holder where it was.
        await Assert.ThrowsAsync<BlockedContentException>(() => store.AddReferenceAsync(Scope, "h/2", live.Id, claimIfOrphaned: true));
        Assert.Equal(other.Id, (await store.FindByHolderAsync(Scope, "h/2"))?.Id);
        Assert.Null(await store.FindByHolderAsync(Scope, "h/3"));

        // What is already stored stays for its holders: a block refuses, a purge takes down.
        var row = await store.GetAsync(live.Id);
        Assert.Equal(OriginalState.Live, row!.State);
        Assert.Equal(1, row.ReferenceCount);
        Assert.Equal(live.Id, (await store.FindByHolderAsync(Scope, "h/1"))?.Id);
        Assert.True((await store.ReleaseAsync(Scope, "h/1", claimIfOrphaned: true)).DeletionClaimed);
        await AssertCountsMatchReferencesAsync(store, other.Id);
    }

    [Fact]
    public async Task A_promotion_of_a_blocked_digest_is_refused_and_its_pending_row_stays_for_the_ingest_to_abandon()
    {
        var store = await CreateTakedownStoreAsync();
        var pending = await InsertPendingAsync(store, Scope, seed: 3);

        await store.BlockAsync(Scope, pending.Digest, Who, "abuse report");

        await Assert.ThrowsAsync<BlockedContentException>(() => store.PromoteAsync(pending.Id, "h/1", claimIfOrphaned: true));
        await Assert.ThrowsAsync<BlockedContentException>(() => store.PromoteAsync(pending.Id, null, claimIfOrphaned: true));
        Assert.Equal(OriginalState.Pending, (await store.GetAsync(pending.Id))!.State);
        Assert.Null(await store.FindLiveAsync(Scope, pending.Digest));
        Assert.Null(await store.FindByHolderAsync(Scope, "h/1"));
        Assert.NotNull(await store.ClaimPendingAsync(pending.Id));
        Assert.True(await store.DeleteClaimedAsync(pending.Id));
    }

    [Fact]
    public async Task A_global_block_refuses_every_scope_and_a_scope_block_only_its_own()
    {
        var store = await CreateTakedownStoreAsync();
        var global = await InsertPendingAsync(store, Scope, seed: 4);
        var globalElsewhere = await InsertPendingAsync(store, OtherScope, seed: 4);
        var scoped = await InsertPendingAsync(store, Scope, seed: 5);
        var scopedElsewhere = await InsertPendingAsync(store, OtherScope, seed: 5);

        await store.BlockAsync(null, global.Digest, Who, "hash list");
        await store.BlockAsync(Scope, scoped.Digest, Who, "tenant rule");

        await Assert.ThrowsAsync<BlockedContentException>(() => store.PromoteAsync(global.Id, "h/1", claimIfOrphaned: true));
        var refused = await Assert.ThrowsAsync<BlockedContentException>(() => store.PromoteAsync(globalElsewhere.Id, "h/1", claimIfOrphaned: true));
        Assert.Equal(OtherScope, refused.Scope);
        await Assert.ThrowsAsync<BlockedContentException>(() => store.PromoteAsync(scoped.Id, "h/2", claimIfOrphaned: true));
        Assert.Equal(OriginalState.Live, (await store.PromoteAsync(scopedElsewhere.Id, "h/2", claimIfOrphaned: true)).Original.State);

        Assert.Equal("hash list", (await store.FindBlockAsync(OtherScope, global.Digest))?.Reason);
        Assert.Null((await store.FindBlockAsync(OtherScope, global.Digest))?.Scope);
        Assert.Null(await store.FindBlockAsync(OtherScope, scoped.Digest));
    }

    [Fact]
    public async Task The_scope_entry_is_found_before_the_global_one_and_unblocking_one_leaves_the_other()
    {
        var store = await CreateTakedownStoreAsync();
        var digest = TestImages.DigestOf(TestImages.Png(6));
        await store.BlockAsync(null, digest, "ops", "global reason");
        await store.BlockAsync(Scope, digest, "tenant admin", "tenant reason");

        Assert.Equal(Scope, (await store.FindBlockAsync(Scope, digest))?.Scope);
        Assert.Equal("tenant reason", (await store.FindBlockAsync(Scope, digest))?.Reason);
        Assert.True(await store.UnblockAsync(Scope, digest));
        Assert.False(await store.UnblockAsync(Scope, digest));
        Assert.Equal("global reason", (await store.FindBlockAsync(Scope, digest))?.Reason);
        Assert.True(await store.UnblockAsync(null, digest));
        Assert.Null(await store.FindBlockAsync(Scope, digest));
        Assert.False(await store.UnblockAsync(null, digest));
    }

    [Fact]
    public async Task Many_digests_are_looked_up_at_once_each_with_the_entry_a_single_lookup_finds()
    {
        var store = await CreateTakedownStoreAsync();
        var both = TestImages.DigestOf(TestImages.Png(21));
        var globalOnly = TestImages.DigestOf(TestImages.Png(22));
        var scopeOnly = TestImages.DigestOf(TestImages.Png(23));
        var elsewhere = TestImages.DigestOf(TestImages.Png(24));
        var none = TestImages.DigestOf(TestImages.Png(25));
        await store.BlockAsync(null, both, "ops", "global reason");
        await store.BlockAsync(Scope, both, "tenant admin", "tenant reason");
        await store.BlockAsync(null, globalOnly, "ops", "hash list");
        await store.BlockAsync(Scope, scopeOnly, "tenant admin", "tenant rule");
        await store.BlockAsync(OtherScope, elsewhere, "other admin", "other rule");

        var found = await store.FindBlocksAsync(Scope, [both, globalOnly, scopeOnly, elsewhere, none, both]);

        Assert.True(found.Keys.ToHashSet().SetEquals([both, globalOnly, scopeOnly]), string.Join(", ", found.Keys));
        foreach (var (digest, entry) in found)
        {
            Assert.Equal(await store.FindBlockAsync(Scope, digest), entry);
        }

        Assert.Equal("tenant reason", found[both].Reason);
        Assert.Empty(await store.FindBlocksAsync(Scope, []));
        var other = await store.FindBlocksAsync(OtherScope, [none, elsewhere, globalOnly, both]);
        Assert.True(other.Keys.ToHashSet().SetEquals([elsewhere, globalOnly, both]), string.Join(", ", other.Keys));
        Assert.Equal("global reason", other[both].Reason);
        await Assert.ThrowsAsync<ArgumentException>(() => store.FindBlocksAsync(Scope, [default]));
    }

    [Fact]
    public async Task Blocking_again_replaces_who_and_why_and_unblocking_lets_the_bytes_go_live()
    {
        var store = await CreateTakedownStoreAsync();
        var pending = await InsertPendingAsync(store, Scope, seed: 7);
        var first = await store.BlockAsync(Scope, pending.Digest, "first", "first reason");

        var second = await store.BlockAsync(Scope, pending.Digest, "second", "second reason");

        Assert.Equal(("second", "second reason"), (second.BlockedBy, second.Reason));
        Assert.True(second.BlockedAt >= first.BlockedAt);
        Assert.Single((await store.ListBlocksAsync(null, null, 10)).Items);
        Assert.True(await store.UnblockAsync(Scope, pending.Digest));
        Assert.Equal(OriginalState.Live, (await store.PromoteAsync(pending.Id, "h/1", claimIfOrphaned: true)).Original.State);
        Assert.NotNull(await store.TryAttachAsync(Scope, pending.Digest, "h/2", claimIfOrphaned: true));
    }

    [Fact]
    public async Task Listing_pages_through_the_entries_in_the_order_they_were_added()
    {
        var store = await CreateTakedownStoreAsync();
        var digests = Enumerable.Range(100, 5).Select(seed => TestImages.DigestOf(TestImages.Png(seed))).ToList();
        await store.BlockAsync(Scope, digests[0], Who, "a");
        await store.BlockAsync(null, digests[1], Who, "b");
        await store.BlockAsync(OtherScope, digests[2], Who, "c");
        await store.BlockAsync(Scope, digests[3], Who, "d");
        await store.BlockAsync(Scope, digests[4], Who, "e");

        var all = await ListAllAsync(store, null);
        var mine = await ListAllAsync(store, Scope);

        Assert.Equal(["a", "b", "c", "d", "e"], all.Select(e => e.Reason));
        Assert.Equal([Scope, null, OtherScope, Scope, Scope], all.Select(e => e.Scope));
        Assert.Equal(["a", "d", "e"], mine.Select(e => e.Reason));
        Assert.Empty((await store.ListBlocksAsync("tenant-without-entries", null, 10)).Items);
        await Assert.ThrowsAsync<ArgumentException>(() => store.ListBlocksAsync(null, "not a cursor!", 10));
    }

    [Fact]
    public async Task A_purge_claim_takes_a_live_original_with_its_references_and_nothing_attaches_to_it_afterwards()
    {
        var store = await CreateTakedownStoreAsync();
        var live = await CreateLiveAsync(store, Scope, seed: 8, "h/1");
        await store.AddReferenceAsync(Scope, "h/2", live.Id, claimIfOrphaned: true);

        var claimed = await store.ClaimForPurgeAsync(live.Id);

        Assert.Equal(OriginalState.Deleting, claimed?.State);
        Assert.Equal(2, claimed!.ReferenceCount);
        Assert.Null(await store.FindLiveAsync(Scope, live.Digest));
        Assert.Null(await store.TryAttachAsync(Scope, live.Digest, "h/3", claimIfOrphaned: true));
        await Assert.ThrowsAsync<OriginalNotFoundException>(() => store.AddReferenceAsync(Scope, "h/3", live.Id, claimIfOrphaned: true));
        Assert.Null(await store.FindByHolderAsync(Scope, "h/3"));
        Assert.False(await store.DeleteClaimedAsync(live.Id)); // never while references remain
        Assert.Equal(OriginalState.Deleting, (await store.ClaimForPurgeAsync(live.Id))?.State); // an interrupted purge is found again
        var fresh = await CreateLiveAsync(store, Scope, seed: 8, "h/4"); // the same bytes get a fresh original
        Assert.NotEqual(live.Id, fresh.Id);
        await AssertStatisticsMatchAsync(store);
    }

    [Fact]
    public async Task A_claimed_originals_references_are_released_in_batches_each_once_then_the_row_can_go()
    {
        var store = await CreateTakedownStoreAsync();
        var holders = Enumerable.Range(0, 7).Select(i => $"p/{i}").ToList();
        var live = await CreateLiveAsync(store, Scope, seed: 9, holders[0]);
        foreach (var holder in holders.Skip(1))
        {
            await store.AddReferenceAsync(Scope, holder, live.Id, claimIfOrphaned: true);
        }

        await store.ClaimForPurgeAsync(live.Id);
        var batches = new List<IReadOnlyList<HolderReference>>();
        IReadOnlyList<HolderReference> batch;
        do
        {
            batch = await store.ReleaseClaimedAsync(live.Id, 3);
            batches.Add(batch);
        }
        while (batch.Count == 3);

        Assert.Equal([3, 3, 1], batches.Select(b => b.Count));
        Assert.Equal(holders, batches.SelectMany(b => b).Select(h => h.Holder));
        Assert.All(batches.SelectMany(b => b), h => Assert.Equal((Scope, live.Id), (h.Scope, h.OriginalId)));
        var row = await store.GetAsync(live.Id);
        Assert.Equal((OriginalState.Deleting, 0L), (row!.State, row.ReferenceCount));
        Assert.NotNull(row.OrphanedAt);
        Assert.Empty(await store.ReleaseClaimedAsync(live.Id, 3));
        Assert.True(await store.DeleteClaimedAsync(live.Id));
        Assert.Null(await store.GetAsync(live.Id));
        await AssertStatisticsMatchAsync(store);
    }

    [Fact]
    public async Task The_references_of_a_live_or_pending_original_are_never_released_and_a_pending_one_is_never_claimed()
    {
        var store = await CreateTakedownStoreAsync();
        var live = await CreateLiveAsync(store, Scope, seed: 10, "h/1");
        var pending = await InsertPendingAsync(store, Scope, seed: 11);

        Assert.Empty(await store.ReleaseClaimedAsync(live.Id, 10));
        Assert.Empty(await store.ReleaseClaimedAsync(Guid.NewGuid(), 10));
        Assert.Null(await store.ClaimForPurgeAsync(pending.Id));
        Assert.Null(await store.ClaimForPurgeAsync(Guid.NewGuid()));

        Assert.Equal(1, (await store.GetAsync(live.Id))!.ReferenceCount);
        Assert.Equal(OriginalState.Pending, (await store.GetAsync(pending.Id))!.State);
        Assert.Equal(live.Id, (await store.FindByHolderAsync(Scope, "h/1"))?.Id);
    }

    [Fact]
    public async Task A_host_release_of_a_claimed_holder_counts_and_only_the_last_one_hands_over_the_deletion()
    {
        var store = await CreateTakedownStoreAsync();
        var live = await CreateLiveAsync(store, Scope, seed: 12, "h/1");
        await store.AddReferenceAsync(Scope, "h/2", live.Id, claimIfOrphaned: true);
        await store.ClaimForPurgeAsync(live.Id);

        var first = await store.ReleaseAsync(Scope, "h/1", claimIfOrphaned: true);
        var last = await store.ReleaseAsync(Scope, "h/2", claimIfOrphaned: true);

        Assert.Equal((OriginalState.Deleting, 1L), (first.Original!.State, first.Original.ReferenceCount));
        Assert.False(first.DeletionClaimed);
        Assert.True(last.DeletionClaimed);
        Assert.Empty(await store.ReleaseClaimedAsync(live.Id, 10));
        Assert.True(await store.DeleteClaimedAsync(live.Id));
    }

    [Fact]
    public async Task Claiming_a_digest_pages_through_every_scope_or_takes_one_and_leaves_pending_rows()
    {
        var store = await CreateTakedownStoreAsync();
        var a = await CreateLiveAsync(store, Scope, seed: 13, "h/a");
        var b = await CreateLiveAsync(store, OtherScope, seed: 13, "h/b");
        var c = await CreateLiveAsync(store, "tenant-c", seed: 13, null);
        var pending = await InsertPendingAsync(store, "tenant-d", seed: 13);
        var unrelated = await CreateLiveAsync(store, Scope, seed: 14, "h/other");

        var inScope = await store.ClaimForPurgeAsync(Scope, a.Digest, null, 10);
        Assert.Equal([a.Id], inScope.Select(o => o.Id));
        Assert.Equal(OriginalState.Live, (await store.GetAsync(b.Id))!.State);

        var first = await store.ClaimForPurgeAsync(null, a.Digest, null, 2);
        var second = await store.ClaimForPurgeAsync(null, a.Digest, first[^1].Id, 2);

        Assert.Equal(2, first.Count);
        Assert.Single(second);
        var ids = first.Concat(second).Select(o => o.Id).ToList();
        Assert.Equal(new[] { a.Id, b.Id, c.Id }.Order(), ids.Order());
        Assert.Equal(ids.Select(id => id.ToString("D")).Order(StringComparer.Ordinal), ids.Select(id => id.ToString("D")));
        Assert.All(first.Concat(second), o => Assert.Equal(OriginalState.Deleting, o.State));
        Assert.Equal(OriginalState.Pending, (await store.GetAsync(pending.Id))!.State);
        Assert.Equal(OriginalState.Live, (await store.GetAsync(unrelated.Id))!.State);
        Assert.Empty(await store.ClaimForPurgeAsync(null, TestImages.DigestOf(TestImages.Png(15)), null, 10));
        await AssertStatisticsMatchAsync(store);
    }

    private static async Task<List<BlockListEntry>> ListAllAsync(ITakedownStore store, string? scope)
    {
        var entries = new List<BlockListEntry>();
        string? cursor = null;
        do
        {
            var page = await store.ListBlocksAsync(scope, cursor, 2);
            Assert.InRange(page.Items.Count, 0, 2);
            entries.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        return entries;
    }

    private static async Task AssertStatisticsMatchAsync(IReferenceStore store)
    {
        var counted = await store.GetStatisticsAsync(null);
        Assert.Equal(await StatisticsRecount.OfAsync(store, null), counted);
    }
}
