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

    /// <summary>Monitoring figures summed over every scope.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<OriginalStatistics> GetStatisticsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Repairs what crashes left behind: removes pending rows with their blobs once no ingest can
    /// still be writing them (older than the grace period and twice the engine's ingest write
    /// timeout), finishes claimed deletions, deletes blobs no row names, cleans up abandoned blob
    /// writes, and marks (never drops) live originals whose blob is missing. Bounded batches; many
    /// instances may run it at once, beside ingests, with any grace period including zero.
    /// </summary>
    /// <param name="options">What to repair and how; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the run between items.</param>
    Task<ReconcileResult> ReconcileAsync(ReconcileOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Re-hashes stored blobs against their digests and reports the missing, the corrupt and the
    /// unreadable; a blob that fails to read is reported and the scrub goes on. Resumable.
    /// </summary>
    /// <param name="options">Which originals and how many at once; null for every original of every scope.</param>
    /// <param name="cancellationToken">Cancels the scrub.</param>
    Task<VerifyResult> VerifyAsync(VerifyOptions? options = null, CancellationToken cancellationToken = default);
}
