namespace ImageDedup.Storage;

/// <summary>
/// A capability a reference store may offer: taking content down. It keeps a block list of digests
/// (per scope, or for every scope) that its own statements enforce, and lets the engine purge an
/// original whatever references it still has. It extends <see cref="IReferenceStore"/>, so a
/// wrapper of the store keeps the capability. Hosts reach it through
/// <see cref="IImageDedupScope.PurgeAsync(Guid, PurgeRequest, CancellationToken)"/>,
/// <see cref="IImageDedup.PurgeEverywhereAsync(ContentDigest, PurgeRequest, CancellationToken)"/> and the
/// block-list methods of both; the engine throws <see cref="NotSupportedException"/> for them on a store without it.
/// </summary>
/// <remarks>
/// <para>
/// <b>Blocks are enforced by the store, in the statement that would break them.</b>
/// <see cref="IReferenceStore.TryAttachAsync"/>, <see cref="IReferenceStore.PromoteAsync"/> and
/// <see cref="IReferenceStore.AddReferenceAsync"/> throw <see cref="BlockedContentException"/> for a
/// digest blocked in the scope or globally, changing nothing (a pending original stays pending for
/// its ingest to abandon). A promotion and <see cref="BlockAsync"/> of the same digest are
/// serialised, so once <see cref="BlockAsync"/> has returned no original of that digest becomes live
/// again in the scopes it covers, whatever promotion was in flight: one that checked first committed
/// first, and a purge claiming after the block finds it.
/// </para>
/// <para>
/// <b>Purge</b> is the delete protocol's claim taken regardless of references: a live original
/// moves to <see cref="OriginalState.Deleting"/> with its references still in place. From then on
/// nothing can attach to it, reads treat it as gone, and an ingest of the same bytes gets a fresh
/// original (unless blocked). The engine deletes the blob, releases the references in bounded
/// batches (<see cref="ReleaseClaimedAsync"/>, reporting each holder), then deletes the row
/// (<see cref="IReferenceStore.DeleteClaimedAsync"/>, which never deletes a row that still has
/// references). A crash leaves a deleting row with references, which reconcile finishes the same way.
/// </para>
/// </remarks>
public interface ITakedownStore : IReferenceStore
{
    /// <summary>
    /// Adds a digest to the block list of one scope, or of every scope. Blocking again replaces the
    /// reason, who and when. Serialised with every promotion of the digest (see the remarks).
    /// </summary>
    /// <param name="scope">The scope, or null for every scope.</param>
    /// <param name="digest">The content to refuse.</param>
    /// <param name="blockedBy">Who asked.</param>
    /// <param name="reason">Why.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The entry as stored, with the store's time.</returns>
    Task<BlockListEntry> BlockAsync(string? scope, ContentDigest digest, string blockedBy, string reason, CancellationToken cancellationToken = default);

    /// <summary>Removes the entry of one scope, or the global one (<paramref name="scope"/> null). False when there was none.</summary>
    Task<bool> UnblockAsync(string? scope, ContentDigest digest, CancellationToken cancellationToken = default);

    /// <summary>The entry that refuses <paramref name="digest"/> in <paramref name="scope"/>: the scope's own, else the global one; null when none does.</summary>
    Task<BlockListEntry?> FindBlockAsync(string scope, ContentDigest digest, CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="FindBlockAsync"/> for many digests in one round trip (a batch ingest asks once per
    /// group): the entry that refuses each blocked digest in <paramref name="scope"/>, keyed by digest;
    /// digests nothing refuses are absent.
    /// </summary>
    Task<IReadOnlyDictionary<ContentDigest, BlockListEntry>> FindBlocksAsync(string scope, IReadOnlyCollection<ContentDigest> digests, CancellationToken cancellationToken = default);

    /// <summary>
    /// Lists block-list entries in the order they were first added: those of <paramref name="scope"/>
    /// only, or every entry (global ones and every scope's) when it is null.
    /// </summary>
    Task<Page<BlockListEntry>> ListBlocksAsync(string? scope, string? cursor, int pageSize, CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims one original for a purge: a live one moves to <see cref="OriginalState.Deleting"/>
    /// whatever its references; one already deleting (a purge or deletion under way, or interrupted)
    /// is returned as it is, so an interrupted purge can be finished.
    /// </summary>
    /// <returns>The claimed original, or null when there is none or it is pending.</returns>
    Task<Original?> ClaimForPurgeAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims, as <see cref="ClaimForPurgeAsync(Guid, CancellationToken)"/>, up to
    /// <paramref name="batchSize"/> live or deleting originals of <paramref name="digest"/> in one
    /// scope, or in every scope, whose identifiers sort after <paramref name="after"/> (the store's
    /// order of identifiers, the same as their lowercase text). Pending originals are left to their ingests.
    /// </summary>
    /// <returns>The claimed originals in identifier order; pass the last one's identifier as <paramref name="after"/> for the next batch.</returns>
    Task<IReadOnlyList<Original>> ClaimForPurgeAsync(string? scope, ContentDigest digest, Guid? after, int batchSize, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes up to <paramref name="batchSize"/> references of an original in
    /// <see cref="OriginalState.Deleting"/>, in holder order, lowering its count (and recording its
    /// orphan time when the count reaches zero) in the same transaction. Never touches the references
    /// of a live original.
    /// </summary>
    /// <returns>The references removed; fewer than <paramref name="batchSize"/> once none are left.</returns>
    Task<IReadOnlyList<HolderReference>> ReleaseClaimedAsync(Guid id, int batchSize, CancellationToken cancellationToken = default);
}
