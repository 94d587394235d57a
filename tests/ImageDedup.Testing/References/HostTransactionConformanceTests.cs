using System.Data.Common;
using ImageDedup.Storage;
using Xunit;

namespace ImageDedup.Testing.References;

/// <summary>
/// The host-transaction capability (<see cref="IHostTransactionParticipant"/>), specified once: a
/// provider whose reference store offers it derives a concrete class. Reference changes made inside
/// a host's transaction commit and roll back with it, and inside one nothing is ever claimed for
/// deletion, so a rollback cannot lose bytes.
/// </summary>
public abstract class HostTransactionConformanceTests : ReferenceStoreTestBase
{
    /// <summary>An open connection to <paramref name="store"/>'s database that a host begins its transactions on.</summary>
    protected abstract Task<DbConnection> OpenHostConnectionAsync(IReferenceStore store);

    [Fact]
    public async Task The_store_says_which_transactions_it_can_join()
    {
        var store = await CreateStoreAsync();
        var participant = Assert.IsAssignableFrom<IHostTransactionParticipant>(store);
        await using var host = await OpenHostConnectionAsync(store);
        using var foreign = new ForeignTransaction();

        await using var transaction = await host.BeginTransactionAsync();

        Assert.True(participant.CanEnlist(transaction));
        Assert.False(participant.CanEnlist(foreign));
    }

    [Fact]
    public async Task Host_transaction_commit_keeps_an_added_reference()
    {
        var store = await CreateStoreAsync();
        var live = await CreateLiveAsync(store, Scope, seed: 1, "h/1");
        await using var host = await OpenHostConnectionAsync(store);

        await using (var transaction = await host.BeginTransactionAsync())
        {
            var change = await store.AddReferenceAsync(Scope, "h/2", live.Id, claimIfOrphaned: true, transaction);
            Assert.True(change.Added);
            Assert.Equal(2, change.Original.ReferenceCount);
            await transaction.CommitAsync();
        }

        Assert.Equal(live.Id, (await store.FindByHolderAsync(Scope, "h/2"))?.Id);
        Assert.Equal(2, (await store.GetAsync(live.Id))!.ReferenceCount);
        await AssertCountsMatchReferencesAsync(store, live.Id);
    }

    [Fact]
    public async Task Host_transaction_rollback_leaves_an_added_reference_absent()
    {
        var store = await CreateStoreAsync();
        var live = await CreateLiveAsync(store, Scope, seed: 1, "h/1");
        var other = await CreateLiveAsync(store, Scope, seed: 2, "h/2");
        await using var host = await OpenHostConnectionAsync(store);

        await using (var transaction = await host.BeginTransactionAsync())
        {
            await store.AddReferenceAsync(Scope, "h/3", live.Id, claimIfOrphaned: true, transaction);
            var moved = await store.AddReferenceAsync(Scope, "h/2", live.Id, claimIfOrphaned: true, transaction);
            Assert.Equal(OriginalState.Live, moved.Displaced?.State); // never claimed inside a host transaction
            await transaction.RollbackAsync();
        }

        Assert.Null(await store.FindByHolderAsync(Scope, "h/3"));
        Assert.Equal(other.Id, (await store.FindByHolderAsync(Scope, "h/2"))?.Id);
        Assert.Equal(1, (await store.GetAsync(live.Id))!.ReferenceCount);
        Assert.Equal(1, (await store.GetAsync(other.Id))!.ReferenceCount);
        await AssertCountsMatchReferencesAsync(store, live.Id, other.Id);
    }

    [Fact]
    public async Task Host_transaction_release_never_claims_and_commit_removes_the_reference()
    {
        var store = await CreateStoreAsync();
        var live = await CreateLiveAsync(store, Scope, seed: 1, "h/1");
        await using var host = await OpenHostConnectionAsync(store);

        await using (var transaction = await host.BeginTransactionAsync())
        {
            var outcome = await store.ReleaseAsync(Scope, "h/1", claimIfOrphaned: true, transaction);
            Assert.True(outcome.Released);
            Assert.False(outcome.DeletionClaimed);
            Assert.Equal(OriginalState.Live, outcome.Original!.State);
            Assert.NotNull(outcome.Original.OrphanedAt);
            await transaction.CommitAsync();
        }

        Assert.Null(await store.FindByHolderAsync(Scope, "h/1"));
        var row = await store.GetAsync(live.Id);
        Assert.Equal(OriginalState.Live, row!.State);
        Assert.Equal(0, row.ReferenceCount);
        Assert.NotNull(row.OrphanedAt);
        Assert.Equal(live.Id, Assert.Single(await store.ClaimOrphansAsync(Scope, TimeSpan.Zero, 10)).Id);
    }

    [Fact]
    public async Task Host_transaction_rollback_leaves_a_released_reference_present()
    {
        var store = await CreateStoreAsync();
        var live = await CreateLiveAsync(store, Scope, seed: 1, "p/1/a");
        await store.AddReferenceAsync(Scope, "p/1/b", live.Id, claimIfOrphaned: false);
        await using var host = await OpenHostConnectionAsync(store);

        await using (var transaction = await host.BeginTransactionAsync())
        {
            var batch = await store.ReleasePrefixBatchAsync(Scope, "p/1/", 10, claimIfOrphaned: true, transaction);
            Assert.Equal(2, batch.Released);
            Assert.Equal(1, batch.Orphaned);
            Assert.Empty(batch.Claimed);
            await transaction.RollbackAsync();
        }

        Assert.Equal(live.Id, (await store.FindByHolderAsync(Scope, "p/1/a"))?.Id);
        Assert.Equal(live.Id, (await store.FindByHolderAsync(Scope, "p/1/b"))?.Id);
        var row = await store.GetAsync(live.Id);
        Assert.Equal(OriginalState.Live, row!.State);
        Assert.Equal(2, row.ReferenceCount);
        Assert.Null(row.OrphanedAt);
    }
}
