using ImageDedup.Testing.Content;
using ImageDedup.Testing.Servers;
using Npgsql;

namespace ImageDedup.Postgres.Tests;

/// <summary>
/// A statement of the store's own that PostgreSQL picks as a deadlock's victim runs again
/// (<see cref="DeadlockRetry"/>); one in a host's transaction is reported to the host.
/// </summary>
/// <remarks>
/// The deadlock is forced, not hoped for: another transaction locks the holder's previous original,
/// the store's attach locks the holder's reference row and waits for that original, then the other
/// transaction asks for the reference row. The store waited first, so its deadlock check (after
/// <c>deadlock_timeout</c>) runs first and makes it the victim. The purge-stress test met the same
/// class between a purge's claim and an attach, about one run in twelve.
/// </remarks>
public sealed class DeadlockRetryTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private const string Scope = "tenant";

    [Fact]
    public async Task An_attach_chosen_as_a_deadlock_victim_runs_again_and_succeeds()
    {
        var (store, s, previous, target) = await ArrangeAsync();
        await using var attaching = LockWaits.Named(database, "imagededup-deadlock-a");
        var storeA = new PostgresReferenceStore(new() { UseRegisteredDataSource = true, Schema = store.Sql.SchemaName, AutoMigrate = false }, attaching);

        await using var other = await database.DataSource.OpenConnectionAsync();
        var transaction = await other.BeginTransactionAsync();
        await LockWaits.ExecuteAsync(other, $"SELECT 1 FROM {s}.originals WHERE id = '{previous}' FOR UPDATE");

        var attach = storeA.AddReferenceAsync(Scope, "h", target, claimIfOrphaned: false);
        await LockWaits.UntilWaitingAsync(database, "imagededup-deadlock-a", attach);

        // Closes the cycle; granted once the store's statement is rolled back as the victim.
        await LockWaits.ExecuteAsync(other, $"SELECT 1 FROM {s}.\"references\" WHERE scope = '{Scope}' AND holder = 'h' FOR UPDATE");
        await transaction.RollbackAsync();

        var change = await attach; // before the retry: PostgresException 40P01
        Assert.Equal(target, change.Original.Id);
        Assert.Equal(previous, change.Displaced?.Id);
        Assert.Equal(target, (await store.FindByHolderAsync(Scope, "h"))?.Id);
        Assert.Equal(1, (await store.GetAsync(target))!.ReferenceCount);
        Assert.Equal(0, (await store.GetAsync(previous))!.ReferenceCount);
    }

    [Fact]
    public async Task A_deadlock_inside_a_host_transaction_is_reported_not_retried()
    {
        var (store, s, previous, target) = await ArrangeAsync();
        await using var attaching = LockWaits.Named(database, "imagededup-deadlock-h");
        var storeH = new PostgresReferenceStore(new() { UseRegisteredDataSource = true, Schema = store.Sql.SchemaName, AutoMigrate = false }, attaching);
        await using var hostConnection = await attaching.OpenConnectionAsync();
        await using var host = await hostConnection.BeginTransactionAsync();

        await using var other = await database.DataSource.OpenConnectionAsync();
        var transaction = await other.BeginTransactionAsync();
        await LockWaits.ExecuteAsync(other, $"SELECT 1 FROM {s}.originals WHERE id = '{previous}' FOR UPDATE");

        var attach = storeH.AddReferenceAsync(Scope, "h", target, claimIfOrphaned: false, host);
        await LockWaits.UntilWaitingAsync(database, "imagededup-deadlock-h", attach);
        await LockWaits.ExecuteAsync(other, $"SELECT 1 FROM {s}.\"references\" WHERE scope = '{Scope}' AND holder = 'h' FOR UPDATE");
        await transaction.RollbackAsync();

        var error = await Assert.ThrowsAsync<PostgresException>(() => attach);
        Assert.Equal(PostgresErrorCodes.DeadlockDetected, error.SqlState);
        await host.RollbackAsync();
        Assert.Equal(previous, (await store.FindByHolderAsync(Scope, "h"))?.Id);
    }

    /// <summary>A holder "h" on <c>previous</c>, and a live <c>target</c> to move it to.</summary>
    private async Task<(PostgresReferenceStore Store, string Schema, Guid Previous, Guid Target)> ArrangeAsync()
    {
        var store = await Stores.CreateMigratedAsync(database);
        var previous = Guid.NewGuid();
        var target = Guid.NewGuid();
        await LiveAsync(store, previous, seed: 1, "h");
        await LiveAsync(store, target, seed: 2, holder: null);
        return (store, store.Sql.Schema, previous, target);
    }

    private static async Task LiveAsync(PostgresReferenceStore store, Guid id, int seed, string? holder)
    {
        var digest = TestImages.DigestOf(TestImages.Png(seed, 64));
        await store.InsertPendingAsync(new NewOriginal(id, Scope, digest, 64, "image/png", $"sha256/{digest.Hex}.{id:N}"));
        await store.PromoteAsync(id, holder, claimIfOrphaned: false);
    }
}
