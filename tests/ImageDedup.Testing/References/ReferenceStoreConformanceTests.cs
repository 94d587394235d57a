using System.Collections.Concurrent;
using ImageDedup.Storage;
using Xunit;

namespace ImageDedup.Testing.References;

/// <summary>
/// The behaviour every <see cref="IReferenceStore"/> must show: named references, the
/// pending → live → deleting life cycle and the delete protocol of docs/delete-protocol.md. A provider derives one
/// concrete class and supplies fresh, empty, migrated stores. Host transactions are a capability
/// with their own suite (<see cref="HostTransactionConformanceTests"/>); here every store only has
/// to refuse a transaction it cannot join.
/// </summary>
public abstract partial class ReferenceStoreConformanceTests : ReferenceStoreTestBase
{
    // ---------------------------------------------------------------- pending → live

    [Fact]
    public async Task Inserted_pending_original_is_orphaned_and_invisible_to_live_lookups()
    {
        var store = await CreateStoreAsync();
        var pending = await InsertPendingAsync(store, Scope, seed: 1);

        var row = await store.GetAsync(pending.Id);
        Assert.NotNull(row);
        Assert.Equal(OriginalState.Pending, row.State);
        Assert.Equal(0, row.ReferenceCount);
        Assert.NotNull(row.OrphanedAt);
        Assert.Equal(pending.Digest, row.Digest);
        Assert.Equal(pending.Length, row.Length);
        Assert.Equal(pending.ContentType, row.ContentType);
        Assert.Equal(pending.StorageKey, row.StorageKey);
        Assert.Null(await store.FindLiveAsync(Scope, pending.Digest));
        Assert.Null(await store.TryAttachAsync(Scope, pending.Digest, "h/1", claimIfOrphaned: true));
        Assert.Null(await store.FindByHolderAsync(Scope, "h/1"));
    }

    [Fact]
    public async Task Promote_makes_the_original_live_and_attaches_the_holder()
    {
        var store = await CreateStoreAsync();
        var pending = await InsertPendingAsync(store, Scope, seed: 1);

        var change = await store.PromoteAsync(pending.Id, "h/1", claimIfOrphaned: true);

        Assert.Equal(pending.Id, change.Original.Id);
        Assert.Equal(OriginalState.Live, change.Original.State);
        Assert.Equal(1, change.Original.ReferenceCount);
        Assert.Null(change.Original.OrphanedAt);
        Assert.True(change.Added);
        Assert.Null(change.Displaced);
        Assert.Equal(pending.Id, (await store.FindLiveAsync(Scope, pending.Digest))?.Id);
        Assert.Equal(pending.Id, (await store.FindByHolderAsync(Scope, "h/1"))?.Id);
        await AssertCountsMatchReferencesAsync(store, pending.Id);
    }

    [Fact]
    public async Task Promote_without_holder_leaves_a_live_orphan()
    {
        var store = await CreateStoreAsync();
        var pending = await InsertPendingAsync(store, Scope, seed: 1);

        var change = await store.PromoteAsync(pending.Id, holder: null, claimIfOrphaned: true);

        Assert.False(change.Added);
        Assert.Equal(OriginalState.Live, change.Original.State);
        Assert.Equal(0, change.Original.ReferenceCount);
        Assert.NotNull(change.Original.OrphanedAt);
    }

    [Fact]
    public async Task Second_pending_of_one_digest_is_superseded_by_the_first_on_promote()
    {
        var store = await CreateStoreAsync();
        var first = await InsertPendingAsync(store, Scope, seed: 1);
        var second = await InsertPendingAsync(store, Scope, seed: 1);
        Assert.Equal(first.Digest, second.Digest);

        await store.PromoteAsync(first.Id, "h/1", claimIfOrphaned: false);
        var change = await store.PromoteAsync(second.Id, "h/2", claimIfOrphaned: false);

        Assert.Equal(first.Id, change.Original.Id);
        Assert.Equal(2, change.Original.ReferenceCount);
        Assert.True(change.Added);
        // The loser's row is claimed, not deleted: it names its blob until the engine has deleted it.
        Assert.Equal(OriginalState.Deleting, (await store.GetAsync(second.Id))?.State);
        Assert.Equal(second.Id, Assert.Single(await store.ListStaleAsync(OriginalState.Deleting, TimeSpan.Zero, 10)).Id);
        Assert.True(await store.DeleteClaimedAsync(second.Id));
        Assert.Equal(first.Id, (await store.FindByHolderAsync(Scope, "h/2"))?.Id);
        Assert.Equal(first.Id, (await store.FindLiveAsync(Scope, first.Digest))?.Id);
        await AssertCountsMatchReferencesAsync(store, first.Id);
    }

    [Fact]
    public async Task Promote_of_a_missing_or_non_pending_original_throws()
    {
        var store = await CreateStoreAsync();
        var live = await CreateLiveAsync(store, Scope, seed: 1, "h/1");

        await Assert.ThrowsAsync<InvalidOperationException>(() => store.PromoteAsync(Guid.NewGuid(), "h/2", claimIfOrphaned: false));
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.PromoteAsync(live.Id, "h/2", claimIfOrphaned: false));
        Assert.Null(await store.FindByHolderAsync(Scope, "h/2"));
    }

    [Fact]
    public async Task Pending_originals_cannot_get_references()
    {
        var store = await CreateStoreAsync();
        var pending = await InsertPendingAsync(store, Scope, seed: 1);

        await Assert.ThrowsAsync<OriginalNotFoundException>(() => store.AddReferenceAsync(Scope, "h/1", pending.Id, claimIfOrphaned: false));

        var row = await store.GetAsync(pending.Id);
        Assert.Equal(0, row!.ReferenceCount);
        Assert.Null(await store.FindByHolderAsync(Scope, "h/1"));
    }

    [Fact]
    public async Task DeletePending_deletes_only_pending_rows()
    {
        var store = await CreateStoreAsync();
        var pending = await InsertPendingAsync(store, Scope, seed: 1);
        var live = await CreateLiveAsync(store, Scope, seed: 2, holder: null);

        Assert.False(await store.DeletePendingAsync(live.Id));
        Assert.NotNull(await store.GetAsync(live.Id));
        Assert.True(await store.DeletePendingAsync(pending.Id));
        Assert.Null(await store.GetAsync(pending.Id));
        Assert.False(await store.DeletePendingAsync(pending.Id));
    }

    [Fact]
    public async Task ClaimPending_moves_only_a_pending_row_to_deleting_and_only_once()
    {
        var store = await CreateStoreAsync();
        var pending = await InsertPendingAsync(store, Scope, seed: 1);
        var live = await CreateLiveAsync(store, Scope, seed: 2, holder: null);

        Assert.Null(await store.ClaimPendingAsync(live.Id));
        Assert.Equal(OriginalState.Live, (await store.GetAsync(live.Id))?.State);
        var claimed = await store.ClaimPendingAsync(pending.Id);
        Assert.Equal(OriginalState.Deleting, claimed?.State);
        Assert.Equal(pending.StorageKey, claimed?.StorageKey);
        Assert.Null(await store.ClaimPendingAsync(pending.Id));
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.PromoteAsync(pending.Id, "h", claimIfOrphaned: false));
        Assert.Null(await store.ClaimPendingAsync(Guid.NewGuid()));
        Assert.True(await store.DeleteClaimedAsync(pending.Id));
        Assert.Null(await store.GetAsync(pending.Id));
    }

    // ---------------------------------------------------------------- attach

    [Fact]
    public async Task TryAttach_points_the_holder_at_the_live_original_once()
    {
        var store = await CreateStoreAsync();
        var live = await CreateLiveAsync(store, Scope, seed: 1, "h/1");

        var first = await store.TryAttachAsync(Scope, live.Digest, "h/2", claimIfOrphaned: false);
        var again = await store.TryAttachAsync(Scope, live.Digest, "h/2", claimIfOrphaned: false);

        Assert.NotNull(first);
        Assert.True(first.Added);
        Assert.Equal(live.Id, first.Original.Id);
        Assert.Equal(2, first.Original.ReferenceCount);
        Assert.NotNull(again);
        Assert.False(again.Added);
        Assert.Null(again.Displaced);
        Assert.Equal(2, again.Original.ReferenceCount);
        await AssertCountsMatchReferencesAsync(store, live.Id);
    }

    [Fact]
    public async Task TryAttach_without_holder_gives_an_orphan_a_fresh_grace_period()
    {
        var store = await CreateStoreAsync();
        var live = await CreateLiveAsync(store, Scope, seed: 1, holder: null);
        var before = live.OrphanedAt!.Value;
        await Task.Delay(50);

        var change = await store.TryAttachAsync(Scope, live.Digest, holder: null, claimIfOrphaned: false);

        Assert.NotNull(change);
        Assert.False(change.Added);
        Assert.Equal(0, change.Original.ReferenceCount);
        Assert.True(change.Original.OrphanedAt > before, $"orphaned_at {change.Original.OrphanedAt:O} should be after {before:O}");
        Assert.Equal(change.Original.OrphanedAt, (await store.GetAsync(live.Id))!.OrphanedAt);
    }

    [Fact]
    public async Task TryAttach_without_holder_leaves_a_referenced_original_alone()
    {
        var store = await CreateStoreAsync();
        var live = await CreateLiveAsync(store, Scope, seed: 1, "h/1");

        var change = await store.TryAttachAsync(Scope, live.Digest, holder: null, claimIfOrphaned: false);

        Assert.NotNull(change);
        Assert.Equal(1, change.Original.ReferenceCount);
        Assert.Null(change.Original.OrphanedAt);
    }

    [Fact]
    public async Task Adding_the_same_reference_twice_changes_nothing()
    {
        var store = await CreateStoreAsync();
        var live = await CreateLiveAsync(store, Scope, seed: 1, "h/1");

        var again = await store.AddReferenceAsync(Scope, "h/1", live.Id, claimIfOrphaned: false);

        Assert.False(again.Added);
        Assert.Null(again.Displaced);
        Assert.Equal(1, again.Original.ReferenceCount);
        Assert.Equal(1, (await store.GetAsync(live.Id))!.ReferenceCount);
        await AssertCountsMatchReferencesAsync(store, live.Id);
    }

    [Fact]
    public async Task Adding_a_reference_to_an_unknown_original_throws()
    {
        var store = await CreateStoreAsync();

        var error = await Assert.ThrowsAsync<OriginalNotFoundException>(() => store.AddReferenceAsync(Scope, "h/1", Guid.NewGuid(), claimIfOrphaned: false));
        Assert.Equal(Scope, error.Scope);
        Assert.Null(await store.FindByHolderAsync(Scope, "h/1"));
    }

    [Fact]
    public async Task Repointing_a_holder_releases_the_old_original_and_records_its_orphan_time()
    {
        var store = await CreateStoreAsync();
        var a = await CreateLiveAsync(store, Scope, seed: 1, "h/1");
        var b = await CreateLiveAsync(store, Scope, seed: 2, "h/2");

        var change = await store.AddReferenceAsync(Scope, "h/1", b.Id, claimIfOrphaned: false);

        Assert.True(change.Added);
        Assert.Equal(b.Id, change.Original.Id);
        Assert.Equal(2, change.Original.ReferenceCount);
        Assert.NotNull(change.Displaced);
        Assert.Equal(a.Id, change.Displaced.Id);
        Assert.Equal(0, change.Displaced.ReferenceCount);
        Assert.Equal(OriginalState.Live, change.Displaced.State);
        Assert.NotNull(change.Displaced.OrphanedAt);
        Assert.Equal(b.Id, (await store.FindByHolderAsync(Scope, "h/1"))?.Id);
        await AssertCountsMatchReferencesAsync(store, a.Id, b.Id);
    }

    [Fact]
    public async Task Repointing_a_holder_with_claim_claims_the_displaced_original()
    {
        var store = await CreateStoreAsync();
        var a = await CreateLiveAsync(store, Scope, seed: 1, "h/1");
        var b = await CreateLiveAsync(store, Scope, seed: 2, holder: null);

        var change = await store.TryAttachAsync(Scope, b.Digest, "h/1", claimIfOrphaned: true);

        Assert.NotNull(change);
        Assert.Equal(b.Id, change.Original.Id);
        Assert.Equal(1, change.Original.ReferenceCount);
        Assert.Null(change.Original.OrphanedAt);
        Assert.Equal(a.Id, change.Displaced?.Id);
        Assert.Equal(OriginalState.Deleting, change.Displaced?.State);
        Assert.Equal(OriginalState.Deleting, (await store.GetAsync(a.Id))!.State);
        Assert.Null(await store.FindLiveAsync(Scope, a.Digest));
    }

    [Fact]
    public async Task Repointing_away_from_a_shared_original_does_not_claim_it()
    {
        var store = await CreateStoreAsync();
        var a = await CreateLiveAsync(store, Scope, seed: 1, "h/1");
        await store.AddReferenceAsync(Scope, "h/2", a.Id, claimIfOrphaned: false);
        var b = await CreateLiveAsync(store, Scope, seed: 2, holder: null);

        var change = await store.AddReferenceAsync(Scope, "h/1", b.Id, claimIfOrphaned: true);

        Assert.Equal(OriginalState.Live, change.Displaced?.State);
        Assert.Equal(1, change.Displaced?.ReferenceCount);
        Assert.Null(change.Displaced?.OrphanedAt);
    }

    // ---------------------------------------------------------------- release

    [Fact]
    public async Task Releasing_twice_changes_nothing_the_second_time()
    {
        var store = await CreateStoreAsync();
        var live = await CreateLiveAsync(store, Scope, seed: 1, "h/1");
        await store.AddReferenceAsync(Scope, "h/2", live.Id, claimIfOrphaned: false);

        var first = await store.ReleaseAsync(Scope, "h/1", claimIfOrphaned: true);
        var second = await store.ReleaseAsync(Scope, "h/1", claimIfOrphaned: true);

        Assert.True(first.Released);
        Assert.False(first.DeletionClaimed);
        Assert.Equal(1, first.Original!.ReferenceCount);
        Assert.False(second.Released);
        Assert.Null(second.Original);
        Assert.Equal(1, (await store.GetAsync(live.Id))!.ReferenceCount);
        Assert.Null(await store.FindByHolderAsync(Scope, "h/1"));
        await AssertCountsMatchReferencesAsync(store, live.Id);
    }

    [Fact]
    public async Task Releasing_an_unknown_holder_returns_no_original()
    {
        var store = await CreateStoreAsync();

        var outcome = await store.ReleaseAsync(Scope, "nobody", claimIfOrphaned: true);

        Assert.Null(outcome.Original);
        Assert.False(outcome.Released);
    }

    [Fact]
    public async Task Last_release_without_claim_records_the_orphan_and_stays_live()
    {
        var store = await CreateStoreAsync();
        var live = await CreateLiveAsync(store, Scope, seed: 1, "h/1");

        var outcome = await store.ReleaseAsync(Scope, "h/1", claimIfOrphaned: false);

        Assert.False(outcome.DeletionClaimed);
        Assert.Equal(OriginalState.Live, outcome.Original!.State);
        Assert.Equal(0, outcome.Original.ReferenceCount);
        Assert.NotNull(outcome.Original.OrphanedAt);
        Assert.Equal(live.Id, (await store.FindLiveAsync(Scope, live.Digest))?.Id);
    }

    [Fact]
    public async Task Last_release_with_claim_moves_the_original_to_deleting()
    {
        var store = await CreateStoreAsync();
        var live = await CreateLiveAsync(store, Scope, seed: 1, "h/1");

        var outcome = await store.ReleaseAsync(Scope, "h/1", claimIfOrphaned: true);

        Assert.True(outcome.DeletionClaimed);
        Assert.Equal(0, outcome.Original!.ReferenceCount);
        Assert.Equal(OriginalState.Deleting, (await store.GetAsync(live.Id))!.State);
        Assert.Null(await store.FindLiveAsync(Scope, live.Digest));
    }

    [Fact]
    public async Task Claimed_originals_cannot_get_references()
    {
        var store = await CreateStoreAsync();
        var live = await CreateLiveAsync(store, Scope, seed: 1, "h/1");
        await store.ReleaseAsync(Scope, "h/1", claimIfOrphaned: true);

        await Assert.ThrowsAsync<OriginalNotFoundException>(() => store.AddReferenceAsync(Scope, "h/2", live.Id, claimIfOrphaned: false));
        Assert.Null(await store.TryAttachAsync(Scope, live.Digest, "h/2", claimIfOrphaned: false));
        Assert.Null(await store.TryAttachAsync(Scope, live.Digest, holder: null, claimIfOrphaned: false));

        var row = await store.GetAsync(live.Id);
        Assert.Equal(OriginalState.Deleting, row!.State);
        Assert.Equal(0, row.ReferenceCount);
        Assert.Null(await store.FindByHolderAsync(Scope, "h/2"));
    }

    [Fact]
    public async Task A_new_ingest_of_claimed_bytes_gets_a_fresh_original()
    {
        var store = await CreateStoreAsync();
        var old = await CreateLiveAsync(store, Scope, seed: 1, "h/1");
        await store.ReleaseAsync(Scope, "h/1", claimIfOrphaned: true);

        var fresh = await CreateLiveAsync(store, Scope, seed: 1, "h/2");

        Assert.NotEqual(old.Id, fresh.Id);
        Assert.NotEqual(old.StorageKey, fresh.StorageKey);
        Assert.Equal(fresh.Id, (await store.FindLiveAsync(Scope, old.Digest))?.Id);
        Assert.Equal(OriginalState.Deleting, (await store.GetAsync(old.Id))!.State);
    }

    [Fact]
    public async Task DeleteClaimed_deletes_only_deleting_rows()
    {
        var store = await CreateStoreAsync();
        var pending = await InsertPendingAsync(store, Scope, seed: 1);
        var live = await CreateLiveAsync(store, Scope, seed: 2, holder: null);
        var claimed = await CreateLiveAsync(store, Scope, seed: 3, "h/1");
        await store.ReleaseAsync(Scope, "h/1", claimIfOrphaned: true);

        Assert.False(await store.DeleteClaimedAsync(pending.Id));
        Assert.False(await store.DeleteClaimedAsync(live.Id));
        Assert.True(await store.DeleteClaimedAsync(claimed.Id));
        Assert.False(await store.DeleteClaimedAsync(claimed.Id));
        Assert.Null(await store.GetAsync(claimed.Id));
        Assert.NotNull(await store.GetAsync(pending.Id));
        Assert.NotNull(await store.GetAsync(live.Id));
    }

    [Fact]
    public async Task Counts_always_equal_references_after_mixed_changes()
    {
        var store = await CreateStoreAsync();
        var a = await CreateLiveAsync(store, Scope, seed: 1, "x/1");
        var b = await CreateLiveAsync(store, Scope, seed: 2, "x/2");
        for (var i = 0; i < 10; i++)
        {
            await store.AddReferenceAsync(Scope, $"y/{i}", i % 2 == 0 ? a.Id : b.Id, claimIfOrphaned: false);
        }

        await store.AddReferenceAsync(Scope, "y/0", b.Id, claimIfOrphaned: false);
        await store.AddReferenceAsync(Scope, "y/1", a.Id, claimIfOrphaned: false);
        await store.AddReferenceAsync(Scope, "y/1", a.Id, claimIfOrphaned: false);
        await store.ReleaseAsync(Scope, "y/2", claimIfOrphaned: false);
        await store.ReleaseAsync(Scope, "y/2", claimIfOrphaned: false);
        await store.ReleasePrefixBatchAsync(Scope, "y/", batchSize: 3, claimIfOrphaned: false);

        await AssertCountsMatchReferencesAsync(store, a.Id, b.Id);
        var stats = await store.GetStatisticsAsync(Scope);
        Assert.Equal(await CountHoldersAsync(store, a.Id) + await CountHoldersAsync(store, b.Id), stats.References);
    }

    // ---------------------------------------------------------------- garbage collection

    [Fact]
    public async Task ClaimOrphans_respects_the_grace_period_on_the_store_clock()
    {
        var store = await CreateStoreAsync();
        var orphan = await CreateLiveAsync(store, Scope, seed: 1, "h/1");
        await store.ReleaseAsync(Scope, "h/1", claimIfOrphaned: false);
        var referenced = await CreateLiveAsync(store, Scope, seed: 2, "h/2");
        var pending = await InsertPendingAsync(store, Scope, seed: 3);

        Assert.Empty(await store.ClaimOrphansAsync(Scope, TimeSpan.FromHours(1), batchSize: 10));
        Assert.Equal(OriginalState.Live, (await store.GetAsync(orphan.Id))!.State);

        var claimed = await store.ClaimOrphansAsync(Scope, TimeSpan.Zero, batchSize: 10);

        var only = Assert.Single(claimed);
        Assert.Equal(orphan.Id, only.Id);
        Assert.Equal(OriginalState.Deleting, only.State);
        Assert.Equal(OriginalState.Deleting, (await store.GetAsync(orphan.Id))!.State);
        Assert.Equal(OriginalState.Live, (await store.GetAsync(referenced.Id))!.State);
        Assert.Equal(OriginalState.Pending, (await store.GetAsync(pending.Id))!.State);
        Assert.Empty(await store.ClaimOrphansAsync(Scope, TimeSpan.Zero, batchSize: 10));
    }

    [Fact]
    public async Task ClaimOrphans_is_bounded_and_filtered_by_scope()
    {
        var store = await CreateStoreAsync();
        for (var i = 0; i < 5; i++)
        {
            await CreateLiveAsync(store, Scope, seed: i, holder: null);
        }

        var other = await CreateLiveAsync(store, OtherScope, seed: 100, holder: null);

        Assert.Equal(3, (await store.ClaimOrphansAsync(Scope, TimeSpan.Zero, batchSize: 3)).Count);
        var rest = await store.ClaimOrphansAsync(Scope, TimeSpan.Zero, batchSize: 3);
        Assert.Equal(2, rest.Count);
        Assert.All(rest, o => Assert.Equal(Scope, o.Scope));
        Assert.Equal(OriginalState.Live, (await store.GetAsync(other.Id))!.State);

        var everywhere = await store.ClaimOrphansAsync(scope: null, TimeSpan.Zero, batchSize: 10);
        Assert.Equal(other.Id, Assert.Single(everywhere).Id);
    }

    [Fact]
    public async Task Parallel_ClaimOrphans_never_returns_one_original_twice()
    {
        var store = await CreateStoreAsync();
        const int orphans = 30;
        for (var i = 0; i < orphans; i++)
        {
            await CreateLiveAsync(store, Scope, seed: i, holder: null);
        }

        var seen = new ConcurrentBag<Guid>();
        var workers = Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                var batch = await store.ClaimOrphansAsync(Scope, TimeSpan.Zero, batchSize: 4);
                if (batch.Count == 0)
                {
                    return;
                }

                foreach (var original in batch)
                {
                    seen.Add(original.Id);
                }
            }
        }));
        await Task.WhenAll(workers);

        Assert.Equal(orphans, seen.Count);
        Assert.Equal(orphans, seen.Distinct().Count());
    }

    // ---------------------------------------------------------------- scopes

    [Fact]
    public async Task Scopes_are_isolated()
    {
        var store = await CreateStoreAsync();
        var a = await CreateLiveAsync(store, Scope, seed: 1, "projects/1");
        var b = await CreateLiveAsync(store, OtherScope, seed: 1, "projects/1");

        Assert.Equal(a.Digest, b.Digest);
        Assert.NotEqual(a.Id, b.Id);
        Assert.Equal(a.Id, (await store.FindLiveAsync(Scope, a.Digest))?.Id);
        Assert.Equal(b.Id, (await store.FindLiveAsync(OtherScope, a.Digest))?.Id);
        Assert.Equal(a.Id, (await store.FindByHolderAsync(Scope, "projects/1"))?.Id);
        Assert.Equal(b.Id, (await store.FindByHolderAsync(OtherScope, "projects/1"))?.Id);
        Assert.Null(await store.FindLiveAsync("tenant-c", a.Digest));

        await Assert.ThrowsAsync<OriginalNotFoundException>(() => store.AddReferenceAsync(OtherScope, "projects/2", a.Id, claimIfOrphaned: false));

        var released = await store.ReleaseAsync(Scope, "projects/1", claimIfOrphaned: true);
        Assert.Equal(a.Id, released.Original?.Id);
        Assert.Equal(1, (await store.GetAsync(b.Id))!.ReferenceCount);
        Assert.Equal(b.Id, (await store.FindByHolderAsync(OtherScope, "projects/1"))?.Id);

        var batch = await store.ReleasePrefixBatchAsync(Scope, "projects/", 10, claimIfOrphaned: false);
        Assert.Equal(0, batch.Released);
        Assert.Equal(1, (await store.GetAsync(b.Id))!.ReferenceCount);
    }

    // ---------------------------------------------------------------- prefix release

    [Fact]
    public async Task Prefix_release_matches_whole_segments_and_literal_wildcards()
    {
        var store = await CreateStoreAsync();
        var live = await CreateLiveAsync(store, Scope, seed: 1, "projects/7/images/1");
        string[] holders = ["projects/7/images/2", "projects/7/x", "projects/70/images/1", "projects/7%/a", "projects/7_/a", "projects/8/images/1", "projects/7"];
        foreach (var holder in holders)
        {
            await store.AddReferenceAsync(Scope, holder, live.Id, claimIfOrphaned: false);
        }

        var batch = await store.ReleasePrefixBatchAsync(Scope, "projects/7/", batchSize: 100, claimIfOrphaned: true);

        Assert.Equal(3, batch.Released);
        Assert.Equal(0, batch.Orphaned);
        Assert.Empty(batch.Claimed);
        Assert.Null(await store.FindByHolderAsync(Scope, "projects/7/images/1"));
        Assert.Null(await store.FindByHolderAsync(Scope, "projects/7/x"));
        foreach (var survivor in new[] { "projects/70/images/1", "projects/7%/a", "projects/7_/a", "projects/8/images/1", "projects/7" })
        {
            Assert.Equal(live.Id, (await store.FindByHolderAsync(Scope, survivor))?.Id);
        }

        Assert.Equal(1, (await store.ReleasePrefixBatchAsync(Scope, "projects/7%/", 100, claimIfOrphaned: false)).Released);
        Assert.Equal(live.Id, (await store.FindByHolderAsync(Scope, "projects/7_/a"))?.Id);
        Assert.Equal(1, (await store.ReleasePrefixBatchAsync(Scope, "projects/7_/", 100, claimIfOrphaned: false)).Released);
        Assert.Equal(live.Id, (await store.FindByHolderAsync(Scope, "projects/70/images/1"))?.Id);
        Assert.Equal(3, (await store.GetAsync(live.Id))!.ReferenceCount);
        await AssertCountsMatchReferencesAsync(store, live.Id);
    }

    [Fact]
    public async Task Prefix_release_runs_in_bounded_batches_with_exact_counts()
    {
        var store = await CreateStoreAsync();
        var a = await CreateLiveAsync(store, Scope, seed: 1, "keep/a");
        var b = await CreateLiveAsync(store, Scope, seed: 2, holder: null);
        for (var i = 0; i < 5; i++)
        {
            await store.AddReferenceAsync(Scope, $"projects/7/images/{i}", i < 3 ? a.Id : b.Id, claimIfOrphaned: false);
        }

        var sizes = new List<int>();
        var claimed = new List<Original>();
        var orphaned = 0;
        while (true)
        {
            var batch = await store.ReleasePrefixBatchAsync(Scope, "projects/7/", batchSize: 2, claimIfOrphaned: true);
            if (batch.Released == 0)
            {
                break;
            }

            sizes.Add(batch.Released);
            claimed.AddRange(batch.Claimed);
            orphaned += batch.Orphaned;
        }

        Assert.Equal([2, 2, 1], sizes);
        Assert.Equal(1, orphaned);
        Assert.Equal(b.Id, Assert.Single(claimed).Id);
        Assert.Equal(OriginalState.Deleting, claimed[0].State);
        var rowA = await store.GetAsync(a.Id);
        Assert.Equal(1, rowA!.ReferenceCount);
        Assert.Equal(OriginalState.Live, rowA.State);
        Assert.Equal(OriginalState.Deleting, (await store.GetAsync(b.Id))!.State);
        await AssertCountsMatchReferencesAsync(store, a.Id, b.Id);
    }

    [Fact]
    public async Task Prefix_release_without_claim_only_records_orphans()
    {
        var store = await CreateStoreAsync();
        var a = await CreateLiveAsync(store, Scope, seed: 1, "p/1/a");
        await store.AddReferenceAsync(Scope, "p/1/b", a.Id, claimIfOrphaned: false);

        var batch = await store.ReleasePrefixBatchAsync(Scope, "p/1/", batchSize: 10, claimIfOrphaned: false);

        Assert.Equal(2, batch.Released);
        Assert.Equal(1, batch.Orphaned);
        Assert.Empty(batch.Claimed);
        var row = await store.GetAsync(a.Id);
        Assert.Equal(OriginalState.Live, row!.State);
        Assert.Equal(0, row.ReferenceCount);
        Assert.NotNull(row.OrphanedAt);
    }

    // ---------------------------------------------------------------- listing and statistics

    [Fact]
    public async Task Listing_originals_pages_through_everything_in_a_stable_order()
    {
        var store = await CreateStoreAsync();
        var expected = new HashSet<Guid>();
        for (var i = 0; i < 7; i++)
        {
            expected.Add((await CreateLiveAsync(store, Scope, seed: i, $"h/{i}")).Id);
        }

        expected.Add((await InsertPendingAsync(store, Scope, seed: 50)).Id);
        await CreateLiveAsync(store, OtherScope, seed: 99, "h/x");

        var first = await ListAllOriginalsAsync(store, Scope, pageSize: 3);
        var second = await ListAllOriginalsAsync(store, Scope, pageSize: 3);
        var single = await ListAllOriginalsAsync(store, Scope, pageSize: 100);

        Assert.Equal(expected.Count, first.Count);
        Assert.Equal(expected.OrderBy(x => x), first.OrderBy(x => x));
        Assert.Equal(first, second);
        Assert.Equal(first, single);
    }

    [Fact]
    public async Task Listing_holders_pages_through_everything_in_a_stable_order()
    {
        var store = await CreateStoreAsync();
        var live = await CreateLiveAsync(store, Scope, seed: 1, "h/0");
        var other = await CreateLiveAsync(store, Scope, seed: 2, "z/0");
        for (var i = 1; i < 8; i++)
        {
            await store.AddReferenceAsync(Scope, $"h/{i}", live.Id, claimIfOrphaned: false);
        }

        var pages = 0;
        string? cursor = null;
        var holders = new List<HolderReference>();
        do
        {
            var page = await store.ListHoldersAsync(live.Id, cursor, pageSize: 3);
            Assert.True(page.Items.Count <= 3);
            holders.AddRange(page.Items);
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(Enumerable.Range(0, 8).Select(i => $"h/{i}").Order(StringComparer.Ordinal), holders.Select(h => h.Holder).Order(StringComparer.Ordinal));
        Assert.Equal(holders.Count, holders.Select(h => h.Holder).Distinct().Count());
        Assert.All(holders, h => Assert.Equal(live.Id, h.OriginalId));
        Assert.All(holders, h => Assert.Equal(Scope, h.Scope));
        Assert.InRange(pages, 3, 4);
        var again = await store.ListHoldersAsync(live.Id, null, pageSize: 100);
        Assert.Equal(holders.Select(h => h.Holder), again.Items.Select(h => h.Holder));
        Assert.Null(again.NextCursor);
        Assert.Equal("z/0", Assert.Single((await store.ListHoldersAsync(other.Id, null, 10)).Items).Holder);
    }

    [Fact]
    public async Task Statistics_count_live_originals_only_per_scope_or_overall()
    {
        var store = await CreateStoreAsync();
        var a = await CreateLiveAsync(store, Scope, seed: 1, "a/1", length: 100);
        await store.AddReferenceAsync(Scope, "a/2", a.Id, claimIfOrphaned: false);
        await store.AddReferenceAsync(Scope, "a/3", a.Id, claimIfOrphaned: false);
        await CreateLiveAsync(store, Scope, seed: 2, "b/1", length: 50);
        await CreateLiveAsync(store, Scope, seed: 3, holder: null, length: 30);
        await InsertPendingAsync(store, Scope, seed: 4, length: 1000);
        await CreateLiveAsync(store, Scope, seed: 5, "e/1", length: 2000);
        await store.ReleaseAsync(Scope, "e/1", claimIfOrphaned: true);
        await CreateLiveAsync(store, OtherScope, seed: 6, "f/1", length: 7);

        var stats = await store.GetStatisticsAsync(Scope);

        Assert.Equal(3, stats.UniqueOriginals);
        Assert.Equal(180, stats.StoredBytes);
        Assert.Equal(1, stats.OrphanCount);
        Assert.Equal(30, stats.OrphanBytes);
        Assert.Equal(4, stats.References);
        Assert.Equal(350, stats.LogicalBytes);
        Assert.Equal(2.0, stats.AverageReferences);
        Assert.Equal(350 - 150, stats.BytesSaved);

        var all = await store.GetStatisticsAsync(scope: null);
        Assert.Equal(4, all.UniqueOriginals);
        Assert.Equal(187, all.StoredBytes);
        Assert.Equal(5, all.References);
        Assert.Equal(357, all.LogicalBytes);

        var empty = await store.GetStatisticsAsync("nobody");
        Assert.Equal(0, empty.UniqueOriginals);
        Assert.Equal(0, empty.AverageReferences);
    }

    // ---------------------------------------------------------------- concurrency

    [Fact]
    public async Task Parallel_adds_and_releases_on_one_original_end_with_the_exact_count()
    {
        var store = await CreateStoreAsync();
        var live = await CreateLiveAsync(store, Scope, seed: 1, "base");
        const int workers = 8;
        const int perWorker = 20;

        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < perWorker; i++)
            {
                var holder = $"w{w}/{i}";
                await store.AddReferenceAsync(Scope, holder, live.Id, claimIfOrphaned: true);
                await store.AddReferenceAsync(Scope, holder, live.Id, claimIfOrphaned: true);
                if (i % 2 == 0)
                {
                    await store.ReleaseAsync(Scope, holder, claimIfOrphaned: true);
                    await store.ReleaseAsync(Scope, holder, claimIfOrphaned: true);
                }
            }
        })));

        var row = await store.GetAsync(live.Id);
        Assert.Equal(OriginalState.Live, row!.State);
        Assert.Equal(1 + (workers * perWorker / 2), row.ReferenceCount);
        await AssertCountsMatchReferencesAsync(store, live.Id);
    }

    // ---------------------------------------------------------------- host transactions

    [Fact]
    public async Task A_foreign_transaction_type_is_not_supported()
    {
        var store = await CreateStoreAsync();
        var live = await CreateLiveAsync(store, Scope, seed: 1, "h/1");
        using var foreign = new ForeignTransaction();

        await Assert.ThrowsAsync<NotSupportedException>(() => store.AddReferenceAsync(Scope, "h/2", live.Id, false, foreign));
        await Assert.ThrowsAsync<NotSupportedException>(() => store.ReleaseAsync(Scope, "h/1", false, foreign));
        await Assert.ThrowsAsync<NotSupportedException>(() => store.ReleasePrefixBatchAsync(Scope, "h/", 10, false, foreign));
        Assert.Equal(1, (await store.GetAsync(live.Id))!.ReferenceCount);
    }

    // ---------------------------------------------------------------- helpers

    private static async Task<List<Guid>> ListAllOriginalsAsync(IReferenceStore store, string scope, int pageSize)
    {
        var ids = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await store.ListOriginalsAsync(scope, cursor, pageSize);
            Assert.True(page.Items.Count <= pageSize);
            Assert.All(page.Items, o => Assert.Equal(scope, o.Scope));
            ids.AddRange(page.Items.Select(o => o.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        Assert.Equal(ids.Count, ids.Distinct().Count());
        return ids;
    }
}
