using System.Data.Common;

namespace ImageDedup;

/// <summary>
/// One scope (tenant) of the catalogue: store each image once, point the host's records (holders)
/// at it, and delete it exactly when the last holder lets go. Obtained from
/// <see cref="IImageDedup.Scope"/> or <see cref="IImageDedup.DefaultScope"/>.
/// </summary>
/// <remarks>
/// Every call sees only this scope's originals and holders: an original of another scope is
/// reported exactly as one that does not exist. Holder keys are at most
/// <see cref="ImageDedupLimits.MaxHolderLength"/> UTF-16 code units of valid UTF-16 without control
/// characters, compared exactly (ordinal); anything else is an <see cref="ArgumentException"/>.
/// </remarks>
public interface IImageDedupScope
{
    /// <summary>The scope's name; the empty string for the default scope.</summary>
    string Name { get; }

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
    /// <param name="request">The holder, declared content type and length; null for none.</param>
    /// <param name="cancellationToken">Cancels the ingest; a cancelled ingest leaves nothing behind.</param>
    /// <exception cref="ArgumentException">The request names an invalid holder or declared content type.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The request declares a negative length.</exception>
    /// <exception cref="EmptyContentException">The stream is empty.</exception>
    /// <exception cref="NotAnImageException">The bytes are not a supported image.</exception>
    /// <exception cref="ContentTooLargeException">The bytes, or the declared length, exceed <c>MaxImageBytes</c>.</exception>
    /// <exception cref="ContentIntegrityException">The stream did not hold the declared length, or changed while it was read.</exception>
    /// <exception cref="TimeoutException">Storing new bytes took longer than the engine's <c>IngestWriteTimeout</c>; nothing was stored.</exception>
    /// <exception cref="QuotaExceededException">New bytes would take the scope past its quota; nothing was stored.</exception>
    /// <exception cref="BlockedContentException">The bytes are on the block list of the scope or of every scope; nothing was stored.</exception>
    Task<IngestResult> IngestAsync(Stream content, IngestRequest? request = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Ingests many images with group commit: each item gets exactly what
    /// <see cref="IngestAsync"/> would give it — its result, or the exception single ingest would
    /// throw for it, without failing the others — but the catalogue's commits and the blob store's
    /// flushes are paid once per group of items, not once per image. Items are read and hashed on
    /// every core (<see cref="IngestManyOptions.MaxDegreeOfParallelism"/>) with bounded memory;
    /// while one group commits, the next is read.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Results come in input order, each once its group has committed: a yielded result is durable —
    /// its stored bytes and its reference survive a crash, exactly as after <see cref="IngestAsync"/>
    /// returns. A crash at any point leaves what a crashed single ingest leaves, which reconcile
    /// removes. Items of one group are not ordered among themselves, with one exception: a holder
    /// named by two items ends up pointing at the later one. Quotas apply to each item as to a
    /// single ingest, in input order.
    /// </para>
    /// <para>
    /// Cancelling stops reading further items; the group in flight either commits (its results are
    /// yielded first) or is undone, then <see cref="OperationCanceledException"/> is thrown. Every item
    /// is either wholly ingested or not at all. Ending the enumeration early leaves the same; an item
    /// whose result was not yielded may then have been stored, and ingesting it again is harmless.
    /// </para>
    /// </remarks>
    /// <param name="items">The images, opened one at a time as the batch reaches them. A synchronous list works through <c>ToAsyncEnumerable()</c>.</param>
    /// <param name="options">Parallelism and group size; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the batch as described above.</param>
    /// <exception cref="ArgumentNullException"><paramref name="items"/> is null (thrown by the call), or yields a null item (thrown by the enumeration, after the results before it).</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (thrown by the call, before anything is read).</exception>
    IAsyncEnumerable<IngestItemResult> IngestManyAsync(IAsyncEnumerable<IngestItem> items, IngestManyOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Points a holder at an original. Idempotent; re-pointing releases the holder's previous original.</summary>
    /// <param name="originalId">The original, of this scope.</param>
    /// <param name="holder">The holder key, the host's own name for its record.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="OriginalNotFoundException">No live original of this scope has that identifier.</exception>
    Task<ReferenceResult> AddReferenceAsync(Guid originalId, string holder, CancellationToken cancellationToken = default);

    /// <summary>
    /// Points a holder at an original inside the host's open transaction, so the host's own row and
    /// the reference commit together or not at all.
    /// </summary>
    /// <param name="originalId">The original, of this scope.</param>
    /// <param name="holder">The holder key.</param>
    /// <param name="transaction">The host's open transaction on the reference store's database; never committed here.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="OriginalNotFoundException">No live original of this scope has that identifier.</exception>
    /// <exception cref="NotSupportedException">The reference store cannot enlist in this kind of transaction.</exception>
    Task<ReferenceResult> AddReferenceAsync(Guid originalId, string holder, DbTransaction transaction, CancellationToken cancellationToken = default);

    /// <summary>
    /// Releases a holder's reference. Releasing an unknown holder, or releasing twice, changes nothing.
    /// The last release deletes the original, now or after <c>DeletionGracePeriod</c>.
    /// </summary>
    /// <param name="holder">The holder key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<ReleaseResult> ReleaseAsync(string holder, CancellationToken cancellationToken = default);

    /// <summary>
    /// Releases a holder's reference inside the host's open transaction. The original is only
    /// recorded as orphaned; its bytes are deleted by garbage collection after the commit, so a
    /// rolled-back transaction never loses bytes.
    /// </summary>
    /// <param name="holder">The holder key.</param>
    /// <param name="transaction">The host's open transaction on the reference store's database; never committed here.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="NotSupportedException">The reference store cannot enlist in this kind of transaction.</exception>
    Task<ReleaseResult> ReleaseAsync(string holder, DbTransaction transaction, CancellationToken cancellationToken = default);

    /// <summary>
    /// Releases every holder whose key starts with <paramref name="holderPrefix"/> at a segment
    /// boundary (<c>projects/7</c> matches <c>projects/7/…</c>, never <c>projects/70/…</c>), in bounded batches.
    /// </summary>
    /// <param name="holderPrefix">The prefix, taken literally (no wildcards), with or without its trailing <c>/</c>.</param>
    /// <param name="cancellationToken">Cancels the release between batches.</param>
    Task<PrefixReleaseResult> ReleasePrefixAsync(string holderPrefix, CancellationToken cancellationToken = default);

    /// <summary>Returns a live original of this scope by identifier, or null.</summary>
    /// <param name="originalId">The original's identifier.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<Original?> GetAsync(Guid originalId, CancellationToken cancellationToken = default);

    /// <summary>Returns the live original of a digest in this scope, or null.</summary>
    /// <param name="digest">The digest of the bytes.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<Original?> FindByDigestAsync(ContentDigest digest, CancellationToken cancellationToken = default);

    /// <summary>Returns the original a holder points at, or null.</summary>
    /// <param name="holder">The holder key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<Original?> FindByHolderAsync(string holder, CancellationToken cancellationToken = default);

    /// <summary>Opens an original's bytes for streaming reads.</summary>
    /// <param name="originalId">The original, of this scope.</param>
    /// <param name="options">A byte range, or verification of the whole original; null for a plain read.</param>
    /// <param name="cancellationToken">Cancels opening the stream.</param>
    /// <exception cref="OriginalNotFoundException">No live original of this scope has that identifier, also when its last reference was released while the read was opening.</exception>
    /// <exception cref="ContentIntegrityException">
    /// The original is live but its blob is missing; or, with <see cref="ReadOptions.Verify"/>,
    /// thrown at the end of the stream when the bytes do not match the digest.
    /// </exception>
    Task<Stream> OpenReadAsync(Guid originalId, ReadOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Signs a short-lived URL that downloads a live original of this scope straight from the blob
    /// store. The URL keeps working for its lifetime even if the original is deleted meanwhile (the
    /// download then fails), so keep lifetimes short.
    /// </summary>
    /// <param name="originalId">The original, of this scope.</param>
    /// <param name="lifetime">How long the URL is valid; null for the blob store's configured default.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="OriginalNotFoundException">No live original of this scope has that identifier.</exception>
    /// <exception cref="NotSupportedException">The blob store cannot sign URLs (see <see cref="IImageDedup.CanSignReadUrls"/>).</exception>
    /// <exception cref="ArgumentOutOfRangeException">The lifetime is not positive, or longer than the blob store allows.</exception>
    Task<SignedReadUrl> GetReadUrlAsync(Guid originalId, TimeSpan? lifetime = null, CancellationToken cancellationToken = default);

    /// <summary>Lists the originals of this scope in every state (see <see cref="Original.State"/>), a page at a time.</summary>
    /// <param name="cursor">Null for the first page, else the previous page's <see cref="Page{T}.NextCursor"/>.</param>
    /// <param name="pageSize">1 to <see cref="ImageDedupLimits.MaxPageSize"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<Page<Original>> ListOriginalsAsync(string? cursor = null, int pageSize = 100, CancellationToken cancellationToken = default);

    /// <summary>Lists the holders of an original of this scope, a page at a time.</summary>
    /// <param name="originalId">The original.</param>
    /// <param name="cursor">Null for the first page, else the previous page's <see cref="Page{T}.NextCursor"/>.</param>
    /// <param name="pageSize">1 to <see cref="ImageDedupLimits.MaxPageSize"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="OriginalNotFoundException">No live original of this scope has that identifier.</exception>
    Task<Page<HolderReference>> ListHoldersAsync(Guid originalId, string? cursor = null, int pageSize = 100, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes an original of this scope down now: every holder released, its bytes deleted without
    /// waiting for any grace period, its row removed — through the delete protocol's claim, so
    /// concurrent ingests, references and reads see it either whole or gone. Logged at Information
    /// with who and why. Running it again on an original whose purge was interrupted finishes it.
    /// </summary>
    /// <param name="originalId">The original, of this scope.</param>
    /// <param name="request">Who and why; whether to block the bytes in this scope too; where to report released holders.</param>
    /// <param name="cancellationToken">Stops the purge between batches of holders; see <see cref="PurgeRequest.OnHoldersReleased"/> for what is left.</param>
    /// <returns>What was purged and the holders released, for the host to update its own rows.</returns>
    /// <exception cref="OriginalNotFoundException">No live original of this scope has that identifier, nor one whose purge was interrupted.</exception>
    /// <exception cref="ArgumentException">The request's <see cref="PurgeRequest.RequestedBy"/> or <see cref="PurgeRequest.Reason"/> is empty or too long.</exception>
    /// <exception cref="NotSupportedException">The reference store cannot take content down.</exception>
    Task<PurgeResult> PurgeAsync(Guid originalId, PurgeRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes every original of this scope holding <paramref name="digest"/> down now, as
    /// <see cref="PurgeAsync(Guid, PurgeRequest, CancellationToken)"/> does for one; other scopes are
    /// untouched (<see cref="IImageDedup.PurgeEverywhereAsync(ContentDigest, PurgeRequest, CancellationToken)"/>
    /// reaches them). When the scope holds none, nothing is purged and, with <see cref="PurgeRequest.Block"/>, the digest is still blocked.
    /// </summary>
    /// <param name="digest">The content to take down.</param>
    /// <param name="request">Who and why; whether to block the bytes in this scope too; where to report released holders.</param>
    /// <param name="cancellationToken">Stops the purge between batches of holders.</param>
    /// <exception cref="NotSupportedException">The reference store cannot take content down.</exception>
    Task<PurgeResult> PurgeAsync(ContentDigest digest, PurgeRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Puts a digest on this scope's block list: from now on an ingest of those bytes in this scope,
    /// and a reference to an original holding them, fail with <see cref="BlockedContentException"/>
    /// and store nothing. Originals already stored stay for their holders; purge them to take them down.
    /// Blocking again replaces the reason and who. Logged at Information.
    /// </summary>
    /// <param name="digest">The content to refuse.</param>
    /// <param name="request">Who and why.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="NotSupportedException">The reference store cannot take content down.</exception>
    Task<BlockListEntry> BlockAsync(ContentDigest digest, BlockRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes a digest off this scope's block list (a global entry, <see cref="IImageDedup.UnblockEverywhereAsync"/>,
    /// still applies). Logged at Information with who and why.
    /// </summary>
    /// <param name="digest">The content to accept again.</param>
    /// <param name="request">Who lifts the block, and why.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>False when this scope had no entry for it.</returns>
    /// <exception cref="NotSupportedException">The reference store cannot take content down.</exception>
    Task<bool> UnblockAsync(ContentDigest digest, BlockRequest request, CancellationToken cancellationToken = default);

    /// <summary>Lists this scope's own block-list entries (not the global ones), oldest first, a page at a time.</summary>
    /// <param name="cursor">Null for the first page, else the previous page's <see cref="Page{T}.NextCursor"/>.</param>
    /// <param name="pageSize">1 to <see cref="ImageDedupLimits.MaxPageSize"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="NotSupportedException">The reference store cannot take content down.</exception>
    Task<Page<BlockListEntry>> ListBlockedAsync(string? cursor = null, int pageSize = 100, CancellationToken cancellationToken = default);

    /// <summary>Deletes this scope's originals that have been orphaned for longer than the grace period, in bounded batches.</summary>
    /// <param name="cancellationToken">Cancels the collection between originals.</param>
    Task<GarbageCollectionResult> CollectGarbageAsync(CancellationToken cancellationToken = default);

    /// <summary>Monitoring figures for this scope.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<OriginalStatistics> GetStatisticsAsync(CancellationToken cancellationToken = default);
}
