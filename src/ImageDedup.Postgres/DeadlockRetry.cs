using Microsoft.Extensions.Logging;
using Npgsql;

namespace ImageDedup.Postgres;

/// <summary>
/// Runs one statement of the store's own (a transaction by itself) again when PostgreSQL chose it as
/// a deadlock's victim.
/// </summary>
/// <remarks>
/// The store's functions take their locks in one documented order (Install.v1.sql), yet PostgreSQL
/// can still report a deadlock between them: a lock on a row that another transaction has updated
/// also locks the new version, and the waiter queues on the old version's tuple lock meanwhile (seen
/// between a purge's claim and an attach: "while locking updated version of tuple", about one
/// purge-stress run in twelve). The victim's statement was rolled back whole, nothing of it committed,
/// so running it again is the same call made a moment later. A host's transaction is never retried,
/// nor a statement under an ambient <c>TransactionScope</c> (Npgsql enlists it): the deadlock aborted
/// the host's own work too, and only the host can redo it.
/// </remarks>
internal static class DeadlockRetry
{
    /// <summary>Runs in all, the first included; a deadlock five times in a row is reported.</summary>
    internal const int Attempts = 5;

    public static async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> statement, ILogger logger, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await statement(cancellationToken).ConfigureAwait(false);
            }
            // Under an ambient TransactionScope the statement ran in the caller's (now aborted)
            // transaction, as a host transaction's does: the caller redoes it, not the store.
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DeadlockDetected && attempt < Attempts && System.Transactions.Transaction.Current is null)
            {
                Log.DeadlockRetried(logger, attempt, Attempts);

                // The other transaction of the cycle is still running; a jittered pause lets it finish
                // rather than meet it again at once.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20) * attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
