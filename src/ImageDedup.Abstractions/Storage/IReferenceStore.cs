using System.Data.Common;

namespace ImageDedup.Storage;

/// <summary>
/// The catalogue of originals and of the named references that hold them. Implementations make
/// every method one atomic unit (one statement or one transaction) and use their own clock for
/// every timestamp and grace-period comparison, so that many engine instances can share a store.
/// </summary>
/// <remarks>
/// The delete protocol (docs/delete-protocol.md in the repository): rows move <c>Pending → Live → Deleting</c>. References are only
/// ever added to <see cref="OriginalState.Live"/> rows. The statement that sees an original's count
/// reach zero either records when it was orphaned or, when the caller asks for it, claims the
/// deletion by moving the row to <see cref="OriginalState.Deleting"/>; only the claimer then
/// deletes the blob and the row. At most one live row exists per (scope, digest). A store that can
/// take content down (<see cref="ITakedownStore"/>, a capability) also claims live rows that still
/// have references (a purge) and refuses blocked digests in its attach and promotion statements.
/// <para>
/// Host transactions (a capability: stores that offer it implement <see cref="IHostTransactionParticipant"/>;
/// the others throw <see cref="NotSupportedException"/> for any transaction): methods that take a
/// <see cref="DbTransaction"/> run inside it and never commit it. Inside one, <c>claimIfOrphaned</c> is ignored (nothing is claimed, only the orphan time is
/// recorded) so a rollback can never lose bytes. Call <see cref="MigrateAsync"/> before the first
/// host transaction: a lazy migration inside one could wait on the host's own lock. A store error
/// other than <see cref="OriginalNotFoundException"/> may leave the host transaction unusable
/// (PostgreSQL aborts a transaction on any failed statement).
/// </para>
/// <para>Listings return at most 1000 items a page, whatever larger size is asked for.</para>
/// <para>
/// Scopes, holder keys and holder prefixes are compared by their UTF-16 code units; one that is not
/// well-formed UTF-16 (an unpaired surrogate) is an <see cref="ArgumentException"/> before anything is
/// read or written, because it has no faithful UTF-8 form to store.
/// </para>
/// </remarks>
public interface IReferenceStore
{
    /// <summary>Creates or upgrades the schema. Safe to call from many instances at once.</summary>
    Task MigrateAsync(CancellationToken cancellationToken = default);

    /// <summary>Returns the original with this identifier in any state, or null.</summary>
    Task<Original?> GetAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>Returns the live original of this digest in the scope, or null.</summary>
    Task<Original?> FindLiveAsync(string scope, ContentDigest digest, CancellationToken cancellationToken = default);

    /// <summary>Returns the original the holder points at, or null. It is live, unless a purge has claimed it (<see cref="ITakedownStore"/>).</summary>
    Task<Original?> FindByHolderAsync(string scope, string holder, CancellationToken cancellationToken = default);

    /// <summary>
    /// If a live original of <paramref name="digest"/> exists in the scope, points
    /// <paramref name="holder"/> at it (re-pointing it from any other original) and returns the change;
    /// otherwise changes nothing and returns null. Without a holder, an orphaned original's orphan
    /// time is reset so that garbage collection gives the caller a fresh grace period.
    /// </summary>
    /// <param name="scope">The scope.</param>
    /// <param name="digest">The digest of the content.</param>
    /// <param name="holder">The holder to point at the original, or null.</param>
    /// <param name="claimIfOrphaned">Claim the deletion of a displaced original that loses its last reference.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<ReferenceChange?> TryAttachAsync(string scope, ContentDigest digest, string? holder, bool claimIfOrphaned, CancellationToken cancellationToken = default);

    /// <summary>Inserts a <see cref="OriginalState.Pending"/> original, orphaned from now until a reference is added.</summary>
    Task InsertPendingAsync(NewOriginal original, CancellationToken cancellationToken = default);

    /// <summary>
    /// Makes a pending original live and points <paramref name="holder"/> at it, in one transaction.
    /// When another live original of the same digest won the race, the pending row moves to
    /// <see cref="OriginalState.Deleting"/> instead (the caller deletes its blob, then the row, as
    /// for any claimed deletion) and the holder points at the winner (without a holder, the winner's orphan time is
    /// reset, as in <see cref="TryAttachAsync"/>): the returned original then has another
    /// identifier and the caller deletes the pending original's blob.
    /// </summary>
    /// <exception cref="InvalidOperationException">The row is missing or no longer pending.</exception>
    Task<ReferenceChange> PromoteAsync(Guid pendingId, string? holder, bool claimIfOrphaned, CancellationToken cancellationToken = default);

    /// <summary>Deletes a pending original (a failed ingest). Returns false when it is not there or not pending.</summary>
    Task<bool> DeletePendingAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims the deletion of a pending original (an ingest that failed or was given up on) by moving
    /// it to <see cref="OriginalState.Deleting"/>, where no reference can reach it: the caller deletes
    /// the blob, then the row (<see cref="DeleteClaimedAsync"/>), so no blob ever outlives its row.
    /// </summary>
    /// <returns>The claimed original, or null when it is not there or no longer pending (it went live, or another caller claimed it).</returns>
    Task<Original?> ClaimPendingAsync(Guid id, CancellationToken cancellationToken = default);

    // ---- Group commit (batch ingest): each method is one transaction over many rows, so a batch
    // pays one commit per step instead of one per image. Each item behaves as its single-row
    // counterpart would if the items ran one after another in list order inside that transaction.
    // A group names each holder (and each pending original) at most once; a store takes its locks
    // for the whole group in the order its single-row methods keep, so a group never deadlocks
    // with them.

    /// <summary>
    /// <see cref="TryAttachAsync"/> for each request, in order, in one transaction: all of them
    /// take effect, or (when the call fails) none.
    /// </summary>
    /// <param name="scope">The scope of every request.</param>
    /// <param name="requests">The digests and holders; each holder at most once.</param>
    /// <param name="claimIfOrphaned">Claim the deletion of a displaced original that loses its last reference.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One entry per request, in order: the change, or null where the scope has no live original of that digest (by the time the request's turn came).</returns>
    /// <exception cref="ArgumentException">A request is invalid, or a holder is named twice.</exception>
    Task<IReadOnlyList<ReferenceChange?>> TryAttachManyAsync(string scope, IReadOnlyList<DigestAttachment> requests, bool claimIfOrphaned, CancellationToken cancellationToken = default);

    /// <summary><see cref="InsertPendingAsync"/> for each original, in one transaction: all rows, or none.</summary>
    Task InsertPendingManyAsync(IReadOnlyList<NewOriginal> originals, CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="PromoteAsync"/> for each promotion, in order, in one transaction. A row that is
    /// missing or no longer pending does not fail the others: its entry is null and nothing is done for it.
    /// </summary>
    /// <returns>One entry per promotion, in order: the change (whose original has another identifier when another live original of the digest won, the pending row then being <see cref="OriginalState.Deleting"/>), or null.</returns>
    /// <exception cref="ArgumentException">A holder or a pending original is named twice.</exception>
    Task<IReadOnlyList<ReferenceChange?>> PromoteManyAsync(IReadOnlyList<PendingPromotion> promotions, bool claimIfOrphaned, CancellationToken cancellationToken = default);

    /// <summary><see cref="ClaimPendingAsync"/> for each identifier, in one transaction.</summary>
    /// <returns>The originals this call claimed (those that were pending), in no particular order.</returns>
    Task<IReadOnlyList<Original>> ClaimPendingManyAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken = default);

    /// <summary><see cref="DeleteClaimedAsync"/> for each identifier, in one transaction; only rows in <see cref="OriginalState.Deleting"/> are deleted.</summary>
    /// <returns>How many rows were deleted.</returns>
    Task<int> DeleteClaimedManyAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken = default);

    /// <summary>
    /// Points a holder at a live original of the same scope. Doing it twice changes nothing; a
    /// holder that pointed elsewhere releases that original in the same transaction.
    /// </summary>
    /// <param name="scope">The scope of holder and original.</param>
    /// <param name="holder">The holder key.</param>
    /// <param name="originalId">The original to point at.</param>
    /// <param name="claimIfOrphaned">Claim the deletion of a displaced original that loses its last reference.</param>
    /// <param name="transaction">A host transaction to enlist in, or null; stores that cannot enlist throw <see cref="NotSupportedException"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="OriginalNotFoundException">No live original has that identifier in the scope.</exception>
    Task<ReferenceChange> AddReferenceAsync(string scope, string holder, Guid originalId, bool claimIfOrphaned, DbTransaction? transaction = null, CancellationToken cancellationToken = default);

    /// <summary>Removes the holder's reference, if any. Releasing twice changes nothing.</summary>
    /// <param name="scope">The scope of the holder.</param>
    /// <param name="holder">The holder key.</param>
    /// <param name="claimIfOrphaned">Claim the deletion of the original when this was its last reference.</param>
    /// <param name="transaction">A host transaction to enlist in, or null; stores that cannot enlist throw <see cref="NotSupportedException"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<ReleaseOutcome> ReleaseAsync(string scope, string holder, bool claimIfOrphaned, DbTransaction? transaction = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes up to <paramref name="batchSize"/> references whose holder keys start with
    /// <paramref name="holderPrefix"/>. The prefix is literal (no wildcards) and the caller has
    /// already made it end at a segment boundary.
    /// </summary>
    Task<PrefixReleaseBatch> ReleasePrefixBatchAsync(string scope, string holderPrefix, int batchSize, bool claimIfOrphaned, DbTransaction? transaction = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims the deletion of up to <paramref name="batchSize"/> live originals that have had no
    /// reference for at least <paramref name="gracePeriod"/> (store clock). Concurrent callers
    /// never claim the same original.
    /// </summary>
    /// <param name="scope">Only this scope, or null for every scope.</param>
    /// <param name="gracePeriod">How long an original must have been orphaned.</param>
    /// <param name="batchSize">The most originals to claim.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<IReadOnlyList<Original>> ClaimOrphansAsync(string? scope, TimeSpan gracePeriod, int batchSize, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes a row in <see cref="OriginalState.Deleting"/> once its blob is gone. False when it is not
    /// there, or still has references (a purge releases them first: <see cref="ITakedownStore.ReleaseClaimedAsync"/>).
    /// </summary>
    Task<bool> DeleteClaimedAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>Lists the originals of a scope, or of every scope when <paramref name="scope"/> is null, in every state (pending and deleting included), in a stable order.</summary>
    Task<Page<Original>> ListOriginalsAsync(string? scope, string? cursor, int pageSize, CancellationToken cancellationToken = default);

    /// <summary>Lists the holders of an original in a stable order.</summary>
    Task<Page<HolderReference>> ListHoldersAsync(Guid originalId, string? cursor, int pageSize, CancellationToken cancellationToken = default);

    /// <summary>Monitoring figures for one scope, or every scope when <paramref name="scope"/> is null.</summary>
    Task<OriginalStatistics> GetStatisticsAsync(string? scope, CancellationToken cancellationToken = default);

    /// <summary>
    /// Returns up to <paramref name="batchSize"/> originals in <paramref name="state"/>
    /// (<see cref="OriginalState.Pending"/> or <see cref="OriginalState.Deleting"/>) whose row last
    /// changed at least <paramref name="olderThan"/> ago (store clock): ingests that crashed before
    /// going live, and deletions whose claimer died. Oldest first.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="state"/> is <see cref="OriginalState.Live"/>.</exception>
    Task<IReadOnlyList<Original>> ListStaleAsync(OriginalState state, TimeSpan olderThan, int batchSize, CancellationToken cancellationToken = default);

    /// <summary>Of <paramref name="storageKeys"/>, returns those that a row in any state names.</summary>
    Task<IReadOnlySet<string>> FindStorageKeysAsync(IReadOnlyCollection<string> storageKeys, CancellationToken cancellationToken = default);

    /// <summary>
    /// The catalogue's identity: a random identifier created with the schema and kept in it, the
    /// same for every instance that shares the database (and the same table prefix or schema).
    /// The engine binds its blob store's location to it (<see cref="IBlobStore.ClaimOwnershipAsync"/>).
    /// </summary>
    Task<Guid> GetCatalogueIdAsync(CancellationToken cancellationToken = default);

    /// <summary>The store's clock, against which every grace period is measured.</summary>
    Task<DateTimeOffset> GetTimeAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Records that a live original's blob was found missing (sets <see cref="Original.BlobMissingSince"/>
    /// if not yet set), or clears the mark when <paramref name="missing"/> is false. Never deletes the row.
    /// </summary>
    /// <returns>False when no row has that identifier (rows in any state can be marked).</returns>
    Task<bool> MarkBlobMissingAsync(Guid id, bool missing, CancellationToken cancellationToken = default);
}
