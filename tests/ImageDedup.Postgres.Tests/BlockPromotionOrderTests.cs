using ImageDedup.Testing.Content;
using ImageDedup.Testing.Servers;
using Npgsql;

namespace ImageDedup.Postgres.Tests;

/// <summary>
/// "A blocked digest never becomes live again" against a promotion in flight: block() and promote()
/// take the same lock of the digest (Install.v7.sql, lock order 1b), so whichever holds it first
/// finishes first. The interleavings are forced with an uncommitted transaction of the test's own,
/// not hoped for.
/// </summary>
public sealed class BlockPromotionOrderTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private const string Scope = "tenant";

    [Fact]
    public async Task A_block_waits_for_a_promotion_in_flight_and_a_purge_after_it_finds_the_original_live()
    {
        var store = await Stores.CreateMigratedAsync(database);
        var digest = TestImages.DigestOf(TestImages.UniquePng(64));
        var pending = await InsertPendingAsync(store, digest);
        await using var blocking = LockWaits.Named(database, "imagededup-block-b");
        var blocker = Over(store, blocking);

        // The promotion runs first and holds its locks, uncommitted.
        await using var promoter = await database.DataSource.OpenConnectionAsync();
        await using var promotion = await promoter.BeginTransactionAsync();
        await LockWaits.ExecuteAsync(promoter, $"SELECT * FROM {store.Sql.Schema}.promote('{pending}', 'h', true)");
        var block = blocker.BlockAsync(null, digest, "ops", "hash list");
        await LockWaits.UntilWaitingAsync(database, "imagededup-block-b", block, "advisory");

        await promotion.CommitAsync();
        await block;

        // It went live before the block committed; a purge's claim after the block finds it.
        Assert.Equal(pending, (await store.FindLiveAsync(Scope, digest))?.Id);
        Assert.Equal([pending], (await store.ClaimForPurgeAsync(null, digest, null, 10)).Select(o => o.Id));
        Assert.Null(await store.FindLiveAsync(Scope, digest));
    }

    [Fact]
    public async Task A_promotion_that_comes_during_a_block_waits_for_it_and_is_refused()
    {
        var store = await Stores.CreateMigratedAsync(database);
        var digest = TestImages.DigestOf(TestImages.UniquePng(64));
        var pending = await InsertPendingAsync(store, digest);
        await using var promoting = LockWaits.Named(database, "imagededup-block-p");
        var promoter = Over(store, promoting);

        await using var blocker = await database.DataSource.OpenConnectionAsync();
        await using var blocking = await blocker.BeginTransactionAsync();
        await LockWaits.ExecuteAsync(blocker, $"SELECT * FROM {store.Sql.Schema}.block(NULL, '{digest}', 'ops', 'hash list')");
        var promotion = promoter.PromoteAsync(pending, "h", claimIfOrphaned: true);
        await LockWaits.UntilWaitingAsync(database, "imagededup-block-p", promotion, "advisory");

        await blocking.CommitAsync();

        var refused = await Assert.ThrowsAsync<BlockedContentException>(() => promotion);
        Assert.Equal((digest, Scope), (refused.Digest, refused.Scope));
        Assert.Equal(OriginalState.Pending, (await store.GetAsync(pending))!.State);
        Assert.Null(await store.FindLiveAsync(Scope, digest));
    }

    [Fact]
    public async Task A_refused_reference_inside_a_host_transaction_leaves_the_transaction_usable()
    {
        var store = await Stores.CreateMigratedAsync(database);
        var digest = TestImages.DigestOf(TestImages.UniquePng(64));
        var blocked = await InsertPendingAsync(store, digest);
        await store.PromoteAsync(blocked, "h/1", claimIfOrphaned: true);
        var otherDigest = TestImages.DigestOf(TestImages.UniquePng(64));
        var other = await InsertPendingAsync(store, otherDigest);
        await store.PromoteAsync(other, "h/2", claimIfOrphaned: true);
        await store.BlockAsync(Scope, digest, "ops", "reported");

        await using var host = await database.DataSource.OpenConnectionAsync();
        await using (var transaction = await host.BeginTransactionAsync())
        {
            // PostgreSQL aborts a transaction on any failed statement: the refusal is a row, not an error.
            await Assert.ThrowsAsync<BlockedContentException>(() => store.AddReferenceAsync(Scope, "h/3", blocked, claimIfOrphaned: false, transaction));
            await store.AddReferenceAsync(Scope, "h/3", other, claimIfOrphaned: false, transaction);
            await transaction.CommitAsync();
        }

        Assert.Equal(other, (await store.FindByHolderAsync(Scope, "h/3"))?.Id);
        Assert.Equal(1, (await store.GetAsync(blocked))!.ReferenceCount);
    }

    private static async Task<Guid> InsertPendingAsync(PostgresReferenceStore store, ContentDigest digest)
    {
        var id = Guid.CreateVersion7();
        await store.InsertPendingAsync(new NewOriginal(id, Scope, digest, 64, "image/png", $"sha256/{digest.Hex}.{id:N}"));
        return id;
    }

    private static PostgresReferenceStore Over(PostgresReferenceStore store, NpgsqlDataSource dataSource)
        => new(new() { UseRegisteredDataSource = true, Schema = store.Sql.SchemaName, AutoMigrate = false }, dataSource);
}
