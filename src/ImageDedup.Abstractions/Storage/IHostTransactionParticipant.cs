using System.Data.Common;

namespace ImageDedup.Storage;

/// <summary>
/// A capability a reference store may offer beside <see cref="IReferenceStore"/>: the methods that
/// take a <see cref="DbTransaction"/> (<see cref="IReferenceStore.AddReferenceAsync"/>,
/// <see cref="IReferenceStore.ReleaseAsync"/>, <see cref="IReferenceStore.ReleasePrefixBatchAsync"/>)
/// run inside a host's own transaction on the store's database, so the host's row and the reference
/// commit or roll back together.
/// </summary>
/// <remarks>
/// Relational stores offer it. A store without it throws <see cref="NotSupportedException"/> for any
/// transaction, and so does a store that has it for a transaction it cannot join. Hosts reach it
/// through <see cref="IImageDedupScope.AddReferenceAsync(Guid, string, DbTransaction, CancellationToken)"/>
/// and <see cref="IImageDedupScope.ReleaseAsync(string, DbTransaction, CancellationToken)"/>.
/// </remarks>
public interface IHostTransactionParticipant
{
    /// <summary>Whether this store can run inside <paramref name="transaction"/>: one of its own database kind.</summary>
    /// <param name="transaction">The host's transaction.</param>
    /// <returns>
    /// True when the reference methods enlist in it rather than throw <see cref="NotSupportedException"/>
    /// (a transaction already committed or rolled back still fails when used).
    /// </returns>
    bool CanEnlist(DbTransaction transaction);
}
