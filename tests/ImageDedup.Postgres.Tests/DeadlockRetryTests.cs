using ImageDedup.Testing.Content;
using ImageDedup.Testing.Logging;
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
/// transaction asks for the reference row. The store waited first, and the other session checks for a
/// deadlock only after a minute (<see cref="LockWaits.Survivors"/>), so the store's check
/// finds the cycle and makes the store's statement the victim. The purge-stress test met the same
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

        await using var survivors = LockWaits.Survivors(database);
        await using var other = await survivors.OpenConnectionAsync();
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

        await using var survivors = LockWaits.Survivors(database);
        await using var other = await survivors.OpenConnectionAsync();
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

    [Fact]
    public async Task A_statement_without_rows_to_return_chosen_as_a_deadlock_victim_runs_again_and_succeeds()
    {
        var store = await Stores.CreateMigratedAsync(database);
        var s = store.Sql.Schema;
        Guid[] ids = [Guid.NewGuid(), Guid.NewGuid()];
        for (var i = 0; i < ids.Length; i++)
        {
            var digest = TestImages.DigestOf(TestImages.Png(10 + i, 64));
            await store.InsertPendingAsync(new NewOriginal(ids[i], Scope, digest, 64, "image/png", $"sha256/{digest.Hex}.{ids[i]:N}"));
        }

        Assert.Equal(2, (await store.ClaimPendingManyAsync(ids)).Count);

        // The order the store's DELETE meets the two rows in: the same scan as this query's.
        await using var survivors = LockWaits.Survivors(database);
        await using var other = await survivors.OpenConnectionAsync();
        var order = new List<Guid>();
        await using (var scan = new NpgsqlCommand($"SELECT id FROM {s}.originals WHERE id = ANY ($1) AND state = 'deleting'", other))
        {
            scan.Parameters.Add(new NpgsqlParameter { Value = ids });
            await using var reader = await scan.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                order.Add(reader.GetGuid(0));
            }
        }

        Assert.Equal(2, order.Count);
        await using var deleting = LockWaits.Named(database, "imagededup-deadlock-e");
        var logger = new CapturingLogger<PostgresReferenceStore>();
        var storeE = new PostgresReferenceStore(new() { UseRegisteredDataSource = true, Schema = store.Sql.SchemaName, AutoMigrate = false }, deleting, logger);

        var transaction = await other.BeginTransactionAsync();
        await LockWaits.ExecuteAsync(other, $"SELECT 1 FROM {s}.originals WHERE id = '{order[1]}' FOR UPDATE");

        // Deletes (and locks) the first row, then waits for the second.
        var delete = storeE.DeleteClaimedManyAsync(ids);
        await LockWaits.UntilWaitingAsync(database, "imagededup-deadlock-e", delete);

        // Closes the cycle; granted once the store's statement is rolled back as the victim.
        await LockWaits.ExecuteAsync(other, $"SELECT 1 FROM {s}.originals WHERE id = '{order[0]}' FOR UPDATE");
        await transaction.RollbackAsync();

        Assert.Equal(2, await delete); // before the retry: PostgresException 40P01
        Assert.Contains(logger.Entries, e => e.Message.Contains("deadlock", StringComparison.OrdinalIgnoreCase));
        Assert.Null(await store.GetAsync(ids[0]));
        Assert.Null(await store.GetAsync(ids[1]));
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
