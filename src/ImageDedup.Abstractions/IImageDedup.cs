namespace ImageDedup;

/// <summary>
/// The catalogue as a whole: the entry point to one scope's operations, and the maintenance that
/// spans every scope (garbage collection, statistics, reconcile, verify).
/// </summary>
/// <remarks>
/// A scope is a tenant boundary: originals are shared only within one, and no call on one scope
/// reveals what another holds. Every per-image operation lives on <see cref="IImageDedupScope"/>,
/// which a host obtains once — per request or per tenant — with <see cref="Scope"/>, or with
/// <see cref="DefaultScope"/> when it has a single tenant. No operation has an optional scope
/// argument, so forgetting one cannot silently reach another tenant's originals.
/// </remarks>
public interface IImageDedup
{
    /// <summary>The scope of single-tenant hosts, whose name is the empty string.</summary>
    IImageDedupScope DefaultScope { get; }

    /// <summary>The operations of one scope (tenant). Cheap: bind it once per request or tenant.</summary>
    /// <param name="name">
    /// The scope's name: at most <see cref="ImageDedupLimits.MaxScopeLength"/> UTF-16 code units of
    /// valid UTF-16 without control characters, compared exactly (ordinal). The empty string is the default scope.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> breaks the rules above.</exception>
    IImageDedupScope Scope(string name);

    /// <summary>
    /// Whether the blob store can sign download URLs, so that <see cref="IImageDedupScope.GetReadUrlAsync"/>
    /// works; when false, serve the bytes from <see cref="IImageDedupScope.OpenReadAsync"/>.
    /// </summary>
    bool CanSignReadUrls { get; }

    /// <summary>
    /// The largest content an ingest accepts, in bytes (the engine's <c>MaxImageBytes</c>), so a web
    /// host can size its request limits to it and let the ingest, not the server, refuse larger uploads.
    /// </summary>
    long MaxImageBytes { get; }

    /// <summary>Deletes originals of every scope that have been orphaned for longer than the grace period, in bounded batches.</summary>
    /// <param name="cancellationToken">Cancels the collection between originals.</param>
    Task<GarbageCollectionResult> CollectGarbageAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes the bytes of an original down in every scope: every original of its digest, whatever the
    /// scope, is purged as <see cref="IImageDedupScope.PurgeAsync(Guid, PurgeRequest, CancellationToken)"/>
    /// purges one, and with <see cref="PurgeRequest.Block"/> the digest is blocked in every scope.
    /// </summary>
    /// <param name="originalId">An original of any scope; its digest is what is taken down.</param>
    /// <param name="request">Who and why; whether to block the bytes everywhere; where to report released holders.</param>
    /// <param name="cancellationToken">Stops the purge between batches of holders.</param>
    /// <exception cref="OriginalNotFoundException">No live original has that identifier, nor one whose purge was interrupted (its <see cref="OriginalNotFoundException.Scope"/> is <c>*</c>).</exception>
    /// <exception cref="NotSupportedException">The reference store cannot take content down.</exception>
    Task<PurgeResult> PurgeEverywhereAsync(Guid originalId, PurgeRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes <paramref name="digest"/> down in every scope: each original holding it, in any scope, is
    /// purged (holders released and reported, bytes deleted without a grace period, row removed), and
    /// with <see cref="PurgeRequest.Block"/> the digest is first blocked in every scope, so no ingest
    /// of it can go live afterwards. When nothing holds it, nothing is purged.
    /// </summary>
    /// <param name="digest">The content to take down.</param>
    /// <param name="request">Who and why; whether to block the bytes everywhere; where to report released holders.</param>
    /// <param name="cancellationToken">Stops the purge between batches of holders.</param>
    /// <exception cref="NotSupportedException">The reference store cannot take content down.</exception>
    Task<PurgeResult> PurgeEverywhereAsync(ContentDigest digest, PurgeRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Puts a digest on the global block list: an ingest of it, and a reference to an original holding
    /// it, fail in every scope with <see cref="BlockedContentException"/>. Logged at Information.
    /// </summary>
    /// <param name="digest">The content to refuse.</param>
    /// <param name="request">Who and why.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="NotSupportedException">The reference store cannot take content down.</exception>
    Task<BlockListEntry> BlockEverywhereAsync(ContentDigest digest, BlockRequest request, CancellationToken cancellationToken = default);

    /// <summary>Takes a digest off the global block list (scope entries stay). Logged at Information.</summary>
    /// <param name="digest">The content to accept again.</param>
    /// <param name="request">Who lifts the block, and why.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>False when there was no global entry for it.</returns>
    /// <exception cref="NotSupportedException">The reference store cannot take content down.</exception>
    Task<bool> UnblockEverywhereAsync(ContentDigest digest, BlockRequest request, CancellationToken cancellationToken = default);

    /// <summary>Lists every block-list entry — global ones (<see cref="BlockListEntry.Scope"/> null) and every scope's — oldest first, a page at a time.</summary>
    /// <param name="cursor">Null for the first page, else the previous page's <see cref="Page{T}.NextCursor"/>.</param>
    /// <param name="pageSize">1 to <see cref="ImageDedupLimits.MaxPageSize"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="NotSupportedException">The reference store cannot take content down.</exception>
    Task<Page<BlockListEntry>> ListBlockedAsync(string? cursor = null, int pageSize = 100, CancellationToken cancellationToken = default);

    /// <summary>Monitoring figures summed over every scope.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<OriginalStatistics> GetStatisticsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Repairs what crashes left behind, at a cost that grows with what they left and not with what
    /// is stored: removes pending rows with their blobs once no ingest can still be writing them
    /// (older than the grace period and twice the engine's ingest write timeout), finishes claimed
    /// deletions (both found by index), and cleans up the blob store's abandoned writes. The
    /// protocol keeps every row until its blob is gone, so this is all a crash can leave; the sweeps
    /// over every blob and original are <see cref="AuditAsync"/>. Bounded batches; many instances
    /// may run it at once, beside ingests, with any grace period including zero.
    /// </summary>
    Task<ReconcileResult> ReconcileAsync(ReconcileOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sweeps the whole store for what no crash of the protocol leaves, only outside hands or lost
    /// bytes: deletes blobs no row names (older than the grace period) and marks, never drops, live
    /// originals whose blob is missing. Costs one listing of every blob and one existence check per
    /// original, so it is rate-limited (<see cref="AuditOptions.MaxRequestsPerSecond"/>), reports
    /// progress and resumes from a cursor. Safe beside ingests and on many instances.
    /// </summary>
    /// <param name="options">What to sweep and how fast; null for everything, unthrottled.</param>
    /// <param name="cancellationToken">Cancels the run between items; resume from the last <see cref="AuditProgress.Cursor"/>.</param>
    Task<AuditResult> AuditAsync(AuditOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Re-hashes stored blobs against their digests and reports the missing, the corrupt and the
    /// unreadable; a blob that fails to read is reported and the scrub goes on. Resumable.
    /// </summary>
    /// <param name="options">Which originals and how many at once; null for every original of every scope.</param>
    /// <param name="cancellationToken">Cancels the scrub.</param>
    Task<VerifyResult> VerifyAsync(VerifyOptions? options = null, CancellationToken cancellationToken = default);
}
