using ImageDedup.Testing.Content;
using ImageDedup.Testing.Servers;
using Npgsql;

namespace ImageDedup.Postgres.Tests;

/// <summary>
/// try_attach looks up the live original of a digest and attaches the holder to it; when that
/// original was claimed between the lookup and its lock, it looks again. The second try must not
/// keep what the first one locked (the reference row, the holder's previous original), or it locks
/// the new target out of the documented order and deadlocks with a plain re-point (issue 11, item 4).
/// </summary>
/// <remarks>
/// The interleaving is forced, not hoped for: the test claims the first target in a transaction of
/// its own, so try_attach's first lock waits on it, and a hook in the test schema (a wrapper
/// around <c>attach</c>) holds try_attach on an advisory lock right after its failed try, while a
/// re-point that takes the new target and then the previous original in id order starts.
/// </remarks>
public sealed class RetryLockOrderTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private const string Scope = "tenant";

    [Fact]
    public async Task A_try_attach_retried_after_a_claim_keeps_the_lock_order_and_does_not_deadlock()
    {
        var store = await Stores.CreateMigratedAsync(database);
        var s = store.Sql.Schema;
        var hook = Random.Shared.Next();
        await ExecuteAsync(
            database.DataSource,
            $"""
            ALTER FUNCTION {s}.attach(text, text, uuid, boolean) RENAME TO attach_unhooked;
            CREATE FUNCTION {s}.attach(p_scope text, p_holder text, p_target uuid, p_claim boolean)
            RETURNS SETOF {s}.original_change LANGUAGE plpgsql AS $hook$
            BEGIN
                RETURN QUERY SELECT * FROM {s}.attach_unhooked(p_scope, p_holder, p_target, p_claim);
                IF NOT FOUND THEN -- the target was claimed under this try: wait for the test
                    PERFORM pg_advisory_xact_lock_shared({hook});
                END IF;
            END
            $hook$;
            """);

        // Ids in the order the re-point needs: it locks the new target, then the previous original.
        var digest = TestImages.DigestOf(TestImages.Png(seed: 1, 64));
        var claimed = Id('f');
        var previous = Id('8');
        var next = Id('1');
        await InsertPendingAsync(store, claimed, digest);
        await store.PromoteAsync(claimed, holder: null, claimIfOrphaned: false);
        await InsertPendingAsync(store, previous, TestImages.DigestOf(TestImages.Png(seed: 2, 64)));
        await store.PromoteAsync(previous, "h", claimIfOrphaned: false);
        await InsertPendingAsync(store, next, digest);

        await using var retrying = LockWaits.Named(database, "imagededup-retry-a");
        await using var repointing = LockWaits.Named(database, "imagededup-retry-w");
        var storeA = new PostgresReferenceStore(new() { UseRegisteredDataSource = true, Schema = store.Sql.SchemaName, AutoMigrate = false }, retrying);
        var storeW = new PostgresReferenceStore(new() { UseRegisteredDataSource = true, Schema = store.Sql.SchemaName, AutoMigrate = false }, repointing);

        await using var gate = await database.DataSource.OpenConnectionAsync();
        await LockWaits.ExecuteAsync(gate, $"SELECT pg_advisory_lock({hook})");

        // A claimer takes the first target, uncommitted: try_attach finds it live and waits on its lock.
        await using var claimer = await database.DataSource.OpenConnectionAsync();
        await using var claim = await claimer.BeginTransactionAsync();
        await LockWaits.ExecuteAsync(claimer, $"UPDATE {s}.originals SET state = 'deleting' WHERE id = '{claimed}'");
        var attach = storeA.TryAttachAsync(Scope, digest, "h", claimIfOrphaned: false);
        await LockWaits.UntilWaitingAsync(database, "imagededup-retry-a", attach, "transactionid");

        // The next original of the digest goes live as the claim commits; try_attach's first try fails
        // and the hook holds it there, with whatever that try locked.
        await LockWaits.ExecuteAsync(claimer, $"UPDATE {s}.originals SET state = 'live' WHERE id = '{next}'");
        await claim.CommitAsync();
        await LockWaits.UntilWaitingAsync(database, "imagededup-retry-a", attach, "advisory");

        // A re-point in lock order: the holder leaves the next original for the previous one, so it
        // locks the next original first and then waits for the previous one.
        await store.AddReferenceAsync(Scope, "h2", next, claimIfOrphaned: false);
        var repoint = storeW.AddReferenceAsync(Scope, "h2", previous, claimIfOrphaned: false);
        await LockWaits.UntilWaitingAsync(database, "imagededup-retry-w", repoint);

        await LockWaits.ExecuteAsync(gate, $"SELECT pg_advisory_unlock({hook})");
        var outcomes = await Task.WhenAll(Outcome(attach), Outcome(repoint));

        // Before the fix: "40P01: deadlock detected" for one of the two.
        Assert.All(outcomes, outcome => Assert.Null(outcome));
        Assert.Equal(next, (await store.FindByHolderAsync(Scope, "h"))?.Id);
        Assert.Equal(previous, (await store.FindByHolderAsync(Scope, "h2"))?.Id);
        Assert.Equal(1, (await store.GetAsync(next))!.ReferenceCount);
        Assert.Equal(1, (await store.GetAsync(previous))!.ReferenceCount);
        Assert.Equal(OriginalState.Deleting, (await store.GetAsync(claimed))!.State);
    }

    private static Guid Id(char first) => Guid.Parse(first + Guid.NewGuid().ToString("D")[1..]);

    private static Task InsertPendingAsync(PostgresReferenceStore store, Guid id, ContentDigest digest)
        => store.InsertPendingAsync(new NewOriginal(id, Scope, digest, 64, "image/png", $"sha256/{digest.Hex}.{id:N}"));

    private static async Task<string?> Outcome(Task task)
    {
        try
        {
            await task;
            return null;
        }
        catch (PostgresException ex)
        {
            return $"{ex.SqlState}: {ex.MessageText}";
        }
    }

    private static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}
