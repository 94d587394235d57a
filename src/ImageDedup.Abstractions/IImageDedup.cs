using System.Data.Common;

namespace ImageDedup;

/// <summary>
/// The facade hosts call: store each image once per scope, point the host's records (holders) at
/// it, and delete it exactly when the last holder lets go.
/// </summary>
/// <remarks>
/// A scope is a tenant boundary: originals are shared only within one, and no call reveals what
/// another scope holds. Single-tenant hosts use the default scope, the empty string.
/// </remarks>
public interface IImageDedup
{
    /// <summary>
    /// Reads an image in one pass, hashing it, checking its format and size, and returns the
    /// original that holds those bytes: the existing one (nothing is written) or a new one. When
    /// the existing original's blob was found missing (by reconcile or verify), the bytes are
    /// written back and the mark cleared (<see cref="IngestResult.StoredNewBytes"/> is then true).
    /// </summary>
    /// <param name="content">
    /// The image bytes from the current position to the first read that returns 0; need not be
    /// seekable. Its <see cref="Stream.Length"/> is never trusted (a buffered ASP.NET Core request
    /// body counts only what it has buffered); a seekable stream is read again from its starting
    /// position only when the content is larger than one chunk, and those bytes are re-hashed.
    /// </param>
    /// <param name="request">The holder, scope, declared content type and length; null for none.</param>
    /// <param name="cancellationToken">Cancels the ingest; a cancelled ingest leaves nothing behind.</param>
    /// <exception cref="ArgumentException">The request names an invalid scope, holder or declared content type.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The request declares a negative length.</exception>
    /// <exception cref="EmptyContentException">The stream is empty.</exception>
    /// <exception cref="NotAnImageException">The bytes are not a supported image.</exception>
    /// <exception cref="ContentTooLargeException">The bytes, or the declared length, exceed <c>MaxImageBytes</c>.</exception>
    /// <exception cref="ContentIntegrityException">The stream did not hold the declared length, or changed while it was read.</exception>
    /// <exception cref="TimeoutException">Storing new bytes took longer than the engine's <c>IngestWriteTimeout</c>; nothing was stored.</exception>
    Task<IngestResult> IngestAsync(Stream content, IngestRequest? request = null, CancellationToken cancellationToken = default);

    /// <summary>Points a holder at an original. Idempotent; re-pointing releases the holder's previous original.</summary>
    /// <exception cref="OriginalNotFoundException">No live original has that identifier in the scope.</exception>
    Task<ReferenceResult> AddReferenceAsync(Guid originalId, string holder, string scope = "", CancellationToken cancellationToken = default);

    /// <summary>
    /// Points a holder at an original inside the host's open transaction, so the host's own row and
    /// the reference commit together or not at all.
    /// </summary>
    /// <exception cref="OriginalNotFoundException">No live original has that identifier in the scope.</exception>
    /// <exception cref="NotSupportedException">The reference store cannot enlist in this kind of transaction.</exception>
    Task<ReferenceResult> AddReferenceAsync(Guid originalId, string holder, DbTransaction transaction, string scope = "", CancellationToken cancellationToken = default);

    /// <summary>
    /// Releases a holder's reference. Releasing an unknown holder, or releasing twice, changes nothing.
    /// The last release deletes the original, now or after <c>DeletionGracePeriod</c>.
    /// </summary>
    Task<ReleaseResult> ReleaseAsync(string holder, string scope = "", CancellationToken cancellationToken = default);

    /// <summary>
    /// Releases a holder's reference inside the host's open transaction. The original is only
    /// recorded as orphaned; its bytes are deleted by garbage collection after the commit, so a
    /// rolled-back transaction never loses bytes.
    /// </summary>
    /// <exception cref="NotSupportedException">The reference store cannot enlist in this kind of transaction.</exception>
    Task<ReleaseResult> ReleaseAsync(string holder, DbTransaction transaction, string scope = "", CancellationToken cancellationToken = default);

    /// <summary>
    /// Releases every holder whose key starts with <paramref name="holderPrefix"/> at a segment
    /// boundary (<c>projects/7</c> matches <c>projects/7/…</c>, never <c>projects/70/…</c>), in bounded batches.
    /// </summary>
    Task<PrefixReleaseResult> ReleasePrefixAsync(string holderPrefix, string scope = "", CancellationToken cancellationToken = default);

    /// <summary>Returns a live original of the scope by identifier, or null.</summary>
    Task<Original?> GetAsync(Guid originalId, string scope = "", CancellationToken cancellationToken = default);

    /// <summary>Returns the live original of a digest in the scope, or null.</summary>
    Task<Original?> FindByDigestAsync(ContentDigest digest, string scope = "", CancellationToken cancellationToken = default);

    /// <summary>Returns the original a holder points at, or null.</summary>
    Task<Original?> FindByHolderAsync(string holder, string scope = "", CancellationToken cancellationToken = default);

    /// <summary>Opens an original's bytes for streaming reads.</summary>
    /// <exception cref="OriginalNotFoundException">No live original has that identifier in the scope, also when its last reference was released while the read was opening.</exception>
    /// <exception cref="ContentIntegrityException">
    /// The original is live but its blob is missing; or, with <see cref="ReadOptions.Verify"/>,
    /// thrown at the end of the stream when the bytes do not match the digest.
    /// </exception>
    Task<Stream> OpenReadAsync(Guid originalId, ReadOptions? options = null, string scope = "", CancellationToken cancellationToken = default);

    /// <summary>Lists the originals of a scope in every state (see <see cref="Original.State"/>), a page at a time.</summary>
    Task<Page<Original>> ListOriginalsAsync(string? cursor = null, int pageSize = 100, string scope = "", CancellationToken cancellationToken = default);

    /// <summary>Lists the holders of an original, a page at a time.</summary>
    Task<Page<HolderReference>> ListHoldersAsync(Guid originalId, string? cursor = null, int pageSize = 100, string scope = "", CancellationToken cancellationToken = default);

    /// <summary>Deletes originals that have been orphaned for longer than the grace period, in bounded batches.</summary>
    /// <param name="scope">Only this scope, or null for every scope.</param>
    /// <param name="cancellationToken">Cancels the collection between originals.</param>
    Task<GarbageCollectionResult> CollectGarbageAsync(string? scope = null, CancellationToken cancellationToken = default);

    /// <summary>Monitoring figures for one scope, or every scope when <paramref name="scope"/> is null.</summary>
    Task<OriginalStatistics> GetStatisticsAsync(string? scope = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Repairs what crashes left behind: removes pending rows with their blobs once no ingest can
    /// still be writing them (older than the grace period and twice the engine's ingest write
    /// timeout), finishes claimed deletions, deletes blobs no row names, cleans up abandoned blob
    /// writes, and marks (never drops) live originals whose blob is missing. Bounded batches; many
    /// instances may run it at once, beside ingests, with any grace period including zero.
    /// </summary>
    Task<ReconcileResult> ReconcileAsync(ReconcileOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Re-hashes stored blobs against their digests and reports the missing, the corrupt and the
    /// unreadable; a blob that fails to read is reported and the scrub goes on. Resumable.
    /// </summary>
    Task<VerifyResult> VerifyAsync(VerifyOptions? options = null, CancellationToken cancellationToken = default);
}
