using System.Data.Common;
using ImageDedup.Ingest;
using ImageDedup.Shared;
using ImageDedup.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ImageDedup.Engine;

/// <summary>
/// The facade. It owns the order of the delete protocol (docs/delete-protocol.md); the stores own atomicity.
/// Per-scope operations take their scope explicitly and are reached through <see cref="EngineScope"/>.
/// </summary>
internal sealed partial class ImageDedupEngine : IImageDedup
{
    private readonly IReferenceStore _references;
    private readonly OwnedBlobStore _blobs;
    private readonly IBlobUrlSigner? _signer;
    private readonly string _blobStoreName;
    private readonly CatalogueOwnership _ownership;
    private readonly IContentHasher _hasher;
    private readonly ImageDedupOptions _options;
    private readonly ImageDedupTelemetry _telemetry;
    private readonly ILogger _logger;
    private readonly OriginalDeleter _deleter;
    private readonly Reconciler _reconciler;
    private readonly Auditor _auditor;
    private readonly Verifier _verifier;
    private readonly QuotaGate _quotas;
    private readonly BlockGate _blocks;
    private readonly BlockList? _blockList;
    private readonly Purger? _purger;
    private readonly BatchIngest _batch;
    private EngineScope? _defaultScope;

    public ImageDedupEngine(
        IReferenceStore references,
        IBlobStore blobs,
        IContentHasher hasher,
        IOptions<ImageDedupOptions> options,
        ImageDedupTelemetry telemetry,
        ILoggerFactory? loggerFactory = null)
    {
        _references = references;
        _ownership = new CatalogueOwnership(references, blobs);
        _blobs = new OwnedBlobStore(blobs, _ownership);
        _signer = blobs as IBlobUrlSigner;
        _blobStoreName = blobs.GetType().Name;
        _hasher = hasher;
        _options = options.Value;
        _telemetry = telemetry;
        _logger = (ILogger?)loggerFactory?.CreateLogger<ImageDedupEngine>() ?? NullLogger.Instance;
        _deleter = new OriginalDeleter(references, _blobs, telemetry, _logger, _options.PurgeBatchSize);
        _reconciler = new Reconciler(references, _blobs, _ownership, _deleter, _options, _logger);
        _auditor = new Auditor(references, _blobs, _ownership, _options, _logger);
        _verifier = new Verifier(references, _blobs, hasher, _logger);
        _quotas = new QuotaGate(references, _options, _logger);
        var takedown = references as ITakedownStore;
        _blocks = new BlockGate(takedown, telemetry, _logger);
        _blockList = takedown is null ? null : new BlockList(takedown, telemetry, _logger);
        _purger = _blockList is null ? null : new Purger(takedown!, _blobs, _blockList, telemetry, _options, _logger);
        _batch = new BatchIngest(
            new BatchReader(hasher, _options, _logger),
            new GroupCommit(this, references, _blobs, hasher, _quotas, _blocks, _options, _logger, ClaimAtOnce),
            _ownership,
            _options,
            telemetry,
            _logger);
    }

    public IImageDedupScope DefaultScope => _defaultScope ??= new EngineScope(this, string.Empty);

    public IImageDedupScope Scope(string name)
    {
        Names.ValidateScope(name);
        return name.Length == 0 ? DefaultScope : new EngineScope(this, name);
    }

    public bool CanSignReadUrls => _signer is not null;

    public long MaxImageBytes => _options.MaxImageBytes;

    /// <summary>Whether the last release deletes at once (no grace period) — the store claims it in the same statement.</summary>
    private bool ClaimAtOnce => _options.DeletionGracePeriod == TimeSpan.Zero;

    internal async Task<IngestResult> IngestAsync(string scope, Stream content, IngestRequest? request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        request ??= new IngestRequest();
        if (request.Holder is not null)
        {
            Names.ValidateHolder(request.Holder);
        }

        IngestRequestRules.Validate(request);
        if (!content.CanRead)
        {
            throw new ArgumentException("The content stream is not readable.", nameof(content));
        }

        // Before anything is written: a catalogue that does not own its blob store must not even
        // leave a pending row behind.
        await _ownership.EnsureAsync(cancellationToken).ConfigureAwait(false);
        using var operation = _telemetry.Start("ingest");
        var settings = ScanSettings.For(_options, request);

        var scanned = await ContentScanner.ScanAsync(content, settings, _hasher, _logger, cancellationToken).ConfigureAwait(false);
        await using (scanned.ConfigureAwait(false))
        {
            operation.Activity?.SetTag("imagededup.digest", scanned.Digest.ToString());
            operation.Activity?.SetTag("imagededup.length", scanned.Length);
            if (request.DeclaredContentType is { } declared && !_options.AllowAnyContent
                && !string.Equals(declared, scanned.ContentType, StringComparison.OrdinalIgnoreCase))
            {
                EngineLog.ContentTypeMismatch(_logger, declared, scanned.ContentType);
            }

            ReferenceChange? existing;
            try
            {
                // The store refuses blocked bytes here, before attaching or inserting anything.
                existing = await _references.TryAttachAsync(scope, scanned.Digest, request.Holder, ClaimAtOnce, cancellationToken).ConfigureAwait(false);
            }
            catch (BlockedContentException refused)
            {
                throw await _blocks.ReportAsync(refused, cancellationToken).ConfigureAwait(false);
            }

            if (existing is not null)
            {
                var restored = existing.Original.BlobMissingSince is not null
                    && await RestoreBlobAsync(existing.Original, scanned, cancellationToken).ConfigureAwait(false);
                await FinishDisplacedAsync(existing.Displaced).ConfigureAwait(false);
                EngineLog.Duplicate(_logger, scope, existing.Original.Id, scanned.Digest);
                RecordIngest(duplicate: !restored, scanned.Length);
                operation.Complete();
                var original = restored ? existing.Original with { BlobMissingSince = null } : existing.Original;
                return new IngestResult(original, StoredNewBytes: restored, existing.Added);
            }

            var result = await StoreNewAsync(scope, scanned, request, cancellationToken).ConfigureAwait(false);
            operation.Complete();
            return result;
        }
    }

    /// <summary>Batch ingest with group commit: <see cref="BatchIngest"/>.</summary>
    internal IAsyncEnumerable<IngestItemResult> IngestManyAsync(string scope, IAsyncEnumerable<IngestItem> items, IngestManyOptions? options, CancellationToken cancellationToken)
        => _batch.Start(scope, items, options, cancellationToken);

    private async Task<IngestResult> StoreNewAsync(string scope, ScannedContent scanned, IngestRequest request, CancellationToken cancellationToken)
    {
        // New bytes only, and before anything is written: a refused ingest leaves nothing behind.
        await _quotas.CheckAsync(scope, originals: 1, scanned.Length, cancellationToken).ConfigureAwait(false);
        var id = Guid.CreateVersion7();
        var key = StorageKeys.For(scanned.Digest, id);
        using var deadline = new WriteDeadline(_options.IngestWriteTimeout, cancellationToken);
        await _references.InsertPendingAsync(new NewOriginal(id, scope, scanned.Digest, scanned.Length, scanned.ContentType, key), cancellationToken).ConfigureAwait(false);
        FaultPoints.Hit(FaultPoints.AfterPendingRow);

        ReferenceChange change;
        var written = false;
        try
        {
            var bytes = scanned.OpenVerified(_hasher);
            await using (bytes.ConfigureAwait(false))
            {
                await _blobs.WriteAsync(key, bytes, new BlobMetadata(scanned.Digest, scanned.Length, scanned.ContentType), deadline.Token).ConfigureAwait(false);
            }

            written = true;

            FaultPoints.Hit(FaultPoints.AfterBlobWrite);

            // Past this point the bytes are durable; cancelling the promotion half-way would only
            // leave the caller unsure whether it committed, so the last step runs to its end. It
            // starts only within the deadline: reconcile may take the row once it is twice as old.
            cancellationToken.ThrowIfCancellationRequested();
            deadline.ThrowIfExpired();
            FaultPoints.Hit(FaultPoints.BeforeLiveCommit);
            change = await _references.PromoteAsync(id, request.Holder, ClaimAtOnce, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            EngineLog.IngestAbandoned(_logger, ex, id);
            await AbandonAsync(id, key, written).ConfigureAwait(false);
            if (deadline.AsTimeout(ex) is { } timeout)
            {
                throw timeout;
            }

            throw;
        }

        await FinishDisplacedAsync(change.Displaced).ConfigureAwait(false);
        if (change.Original.Id != id)
        {
            // Another ingest of the same bytes became live first; the promotion claimed our row
            // (deleting), so its blob goes first and the row after it.
            EngineLog.Superseded(_logger, id, scanned.Digest, change.Original.Id);
            await _deleter.FinishIngestAsync(id, key, written: true).ConfigureAwait(false);
            RecordIngest(duplicate: true, scanned.Length);
            return new IngestResult(change.Original, StoredNewBytes: false, change.Added);
        }

        EngineLog.Stored(_logger, id, scanned.Digest, scanned.Length, scanned.ContentType, scope);
        RecordIngest(duplicate: false, scanned.Length);
        return new IngestResult(change.Original, StoredNewBytes: true, change.Added);
    }

    /// <summary>
    /// Self-heal: the catalogue says this live original's blob went missing, and the caller has
    /// just handed over its bytes (re-hashed against the digest as they are written). They are
    /// written back under the original's own key and the mark is cleared. The holder is already
    /// attached, so a failure here is logged and the ingest still succeeds, as it did before the
    /// heal was tried. A last release racing the heal may claim and delete the row meanwhile, its
    /// blob delete running before these bytes land: so once they are written the row is read
    /// again, and unless it is still live the bytes just written are deleted here (a deleting row
    /// needs none). A release that claims the row after that read deletes them itself. Only a crash
    /// between the write and that delete leaves a blob without a row — the audit's to find.
    /// </summary>
    /// <returns>Whether the blob is back and the mark cleared.</returns>
    internal async Task<bool> RestoreBlobAsync(Original original, ScannedContent scanned, CancellationToken cancellationToken)
    {
        try
        {
            var wrote = false;
            if (await _blobs.GetPropertiesAsync(original.StorageKey, cancellationToken).ConfigureAwait(false) is null)
            {
                using var deadline = new WriteDeadline(_options.IngestWriteTimeout, cancellationToken);
                var bytes = scanned.OpenVerified(_hasher);
                await using (bytes.ConfigureAwait(false))
                {
                    await _blobs.WriteAsync(original.StorageKey, bytes, new BlobMetadata(original.Digest, original.Length, original.ContentType), deadline.Token).ConfigureAwait(false);
                }

                wrote = true;
            }

            if (await _references.GetAsync(original.Id, CancellationToken.None).ConfigureAwait(false) is not { State: OriginalState.Live }
                || !await _references.MarkBlobMissingAsync(original.Id, missing: false, CancellationToken.None).ConfigureAwait(false))
            {
                // Claimed or deleted meanwhile: its deleter may have run before these bytes landed.
                if (wrote)
                {
                    await DeleteBlobQuietlyAsync(original.StorageKey, original.Id).ConfigureAwait(false);
                }

                return false;
            }

            EngineLog.BlobRestored(_logger, original.Id, original.StorageKey);
            return true;
        }
#pragma warning disable CA1031 // The ingest has already attached its holder; the heal is a bonus that must not fail it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            EngineLog.RestoreFailed(_logger, ex, original.Id, original.StorageKey);
            return false;
        }
    }

    /// <summary>
    /// Undoes a failed ingest: claims its pending row (pending → deleting), then deletes the blob,
    /// then the row, so a crash at any point leaves a row reconcile finds by index and never a blob
    /// without one. When the row is no longer pending, it is not this call's: the promotion committed
    /// before the failure surfaced (live; the bytes stay), or reconcile claimed it (it finishes the
    /// job). The ingest's own warning already carries its exception, so success logs nothing more.
    /// When the write itself failed, the store has undone it (<see cref="IBlobStore.WriteAsync"/>
    /// leaves nothing readable after a failure) and the delete here is only a second try: it failing
    /// is no failed clean-up and is logged at Debug — a store whose bucket or directory vanished
    /// fails it for the very reason the write failed.
    /// </summary>
    private async Task AbandonAsync(Guid id, string key, bool written)
    {
        Original? claimed;
        try
        {
            claimed = await _references.ClaimPendingAsync(id, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The ingest is already failing with its own exception; reconcile removes what is left.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            EngineLog.CleanupFailed(_logger, ex, id);
            return;
        }

        if (claimed is not null)
        {
            await _deleter.FinishIngestAsync(id, key, written).ConfigureAwait(false);
        }
    }

    private async Task DeleteBlobQuietlyAsync(string key, Guid id)
    {
        try
        {
            await _blobs.DeleteAsync(key, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // An unreferenced blob with no row is garbage reconcile removes.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            EngineLog.CleanupFailed(_logger, ex, id);
        }
    }

    internal async Task<ReferenceResult> AddReferenceAsync(string scope, Guid originalId, string holder, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        Names.ValidateHolder(holder);
        using var operation = _telemetry.Start("add_reference");

        // Inside a host transaction nothing may be deleted before the host commits.
        var claim = transaction is null && ClaimAtOnce;
        var change = await _references.AddReferenceAsync(scope, holder, originalId, claim, transaction, cancellationToken).ConfigureAwait(false);
        var previousDeleted = await FinishDisplacedAsync(change.Displaced).ConfigureAwait(false);
        operation.Complete();
        return new ReferenceResult(change.Original, change.Added, change.Displaced?.Id, previousDeleted);
    }

    internal async Task<ReleaseResult> ReleaseAsync(string scope, string holder, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        Names.ValidateHolder(holder);
        using var operation = _telemetry.Start("release");
        var claim = transaction is null && ClaimAtOnce;
        var outcome = await _references.ReleaseAsync(scope, holder, claim, transaction, cancellationToken).ConfigureAwait(false);
        if (outcome.Original is not { } original)
        {
            operation.Complete();
            return new ReleaseResult(Released: false, OriginalId: null, RemainingReferences: 0, OriginalDeleted: false);
        }

        var deleted = outcome.DeletionClaimed && await FinishDeletionAsync(original, "last reference released").ConfigureAwait(false);
        operation.Complete();
        return new ReleaseResult(Released: true, original.Id, original.ReferenceCount, deleted);
    }

    internal async Task<PrefixReleaseResult> ReleasePrefixAsync(string scope, string holderPrefix, CancellationToken cancellationToken)
    {
        var prefix = Names.SegmentPrefix(holderPrefix);
        using var operation = _telemetry.Start("release_prefix");
        long released = 0, deleted = 0, orphaned = 0;
        while (true)
        {
            var batch = await _references.ReleasePrefixBatchAsync(scope, prefix, _options.PrefixReleaseBatchSize, ClaimAtOnce, null, cancellationToken).ConfigureAwait(false);
            released += batch.Released;
            orphaned += batch.Orphaned;
            foreach (var claimed in batch.Claimed)
            {
                if (await FinishDeletionAsync(claimed, "holders released by prefix").ConfigureAwait(false))
                {
                    deleted++;
                    orphaned--;
                }
            }

            if (batch.Released < _options.PrefixReleaseBatchSize)
            {
                break;
            }
        }

        operation.Complete();
        return new PrefixReleaseResult(released, deleted, orphaned);
    }

    internal async Task<Original?> GetAsync(string scope, Guid originalId, CancellationToken cancellationToken)
    {
        using var operation = _telemetry.Start("get");
        var original = await _references.GetAsync(originalId, cancellationToken).ConfigureAwait(false);
        operation.Complete();
        return original is { State: OriginalState.Live } && original.Scope == scope ? original : null;
    }

    internal async Task<Original?> FindByDigestAsync(string scope, ContentDigest digest, CancellationToken cancellationToken)
    {
        if (digest.IsEmpty)
        {
            throw new ArgumentException("The digest is empty.", nameof(digest));
        }

        using var operation = _telemetry.Start("find_by_digest");
        var original = await _references.FindLiveAsync(scope, digest, cancellationToken).ConfigureAwait(false);
        operation.Complete();
        return original;
    }

    internal async Task<Original?> FindByHolderAsync(string scope, string holder, CancellationToken cancellationToken)
    {
        Names.ValidateHolder(holder);
        using var operation = _telemetry.Start("find_by_holder");
        var original = await _references.FindByHolderAsync(scope, holder, cancellationToken).ConfigureAwait(false);
        operation.Complete();

        // A purge claims an original before it releases its holders: for them it is gone already.
        return original is { State: OriginalState.Live } ? original : null;
    }

    internal async Task<Stream> OpenReadAsync(string scope, Guid originalId, ReadOptions? options, CancellationToken cancellationToken)
    {
        options ??= new ReadOptions();
        if (options.Verify && options.Range is not null)
        {
            throw new ArgumentException("Verification needs the whole original; a range cannot be verified.", nameof(options));
        }

        using var operation = _telemetry.Start("open_read");
        var original = await GetAsync(scope, originalId, cancellationToken).ConfigureAwait(false)
            ?? throw new OriginalNotFoundException(originalId, scope);
        Stream stream;
        try
        {
            stream = await _blobs.OpenReadAsync(original.StorageKey, options.Range, cancellationToken).ConfigureAwait(false);
        }
        catch (BlobNotFoundException ex)
        {
            // The last release may have deleted the original between the lookup and the open: that
            // is an original that no longer exists, not a live one whose bytes are missing.
            if (await GetAsync(scope, originalId, CancellationToken.None).ConfigureAwait(false) is null)
            {
                throw new OriginalNotFoundException(originalId, scope);
            }

            throw new ContentIntegrityException($"The bytes of live original {original.Id} are missing from the blob store.", ex);
        }

        operation.Complete();
        return options.Verify
            ? new DigestCheckingStream(stream, _hasher.CreateHash(), original.Digest, original.Length, leaveOpen: false)
            : stream;
    }

    internal async Task<SignedReadUrl> GetReadUrlAsync(string scope, Guid originalId, TimeSpan? lifetime, CancellationToken cancellationToken)
    {
        if (_signer is not { } signer)
        {
            throw new NotSupportedException($"The blob store ({_blobStoreName}) cannot sign download URLs; serve the bytes with OpenReadAsync.");
        }

        await _ownership.EnsureAsync(cancellationToken).ConfigureAwait(false);

        using var operation = _telemetry.Start("sign_read_url");
        var original = await GetAsync(scope, originalId, cancellationToken).ConfigureAwait(false)
            ?? throw new OriginalNotFoundException(originalId, scope);
        var url = await signer.GetReadUrlAsync(original.StorageKey, lifetime, cancellationToken).ConfigureAwait(false);
        operation.Complete();
        return url;
    }

    internal async Task<Page<Original>> ListOriginalsAsync(string scope, string? cursor, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, ImageDedupLimits.MaxPageSize);
        using var operation = _telemetry.Start("list_originals");
        var page = await _references.ListOriginalsAsync(scope, cursor, pageSize, cancellationToken).ConfigureAwait(false);
        operation.Complete();
        return page;
    }

    internal async Task<Page<HolderReference>> ListHoldersAsync(string scope, Guid originalId, string? cursor, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, ImageDedupLimits.MaxPageSize);
        using var operation = _telemetry.Start("list_holders");
        _ = await GetAsync(scope, originalId, cancellationToken).ConfigureAwait(false) ?? throw new OriginalNotFoundException(originalId, scope);
        var page = await _references.ListHoldersAsync(originalId, cursor, pageSize, cancellationToken).ConfigureAwait(false);
        operation.Complete();
        return page;
    }

    public Task<GarbageCollectionResult> CollectGarbageAsync(CancellationToken cancellationToken = default)
        => CollectGarbageAsync(null, cancellationToken);

    /// <summary>Collects the orphans of one scope, or of every scope when <paramref name="scope"/> is null.</summary>
    internal async Task<GarbageCollectionResult> CollectGarbageAsync(string? scope, CancellationToken cancellationToken)
    {
        using var operation = _telemetry.Start("collect_garbage");
        var grace = _options.DeletionGracePeriod > _options.OrphanGracePeriod ? _options.DeletionGracePeriod : _options.OrphanGracePeriod;
        long deleted = 0, bytes = 0;
        while (true)
        {
            var claimed = await _references.ClaimOrphansAsync(scope, grace, _options.GarbageCollectionBatchSize, cancellationToken).ConfigureAwait(false);
            foreach (var original in claimed)
            {
                // Claimed rows are finished even if the caller cancels: a claim left half-done
                // would wait for reconcile.
                if (await FinishDeletionAsync(original, "orphan collected").ConfigureAwait(false))
                {
                    deleted++;
                    bytes += original.Length;
                }
            }

            if (claimed.Count < _options.GarbageCollectionBatchSize)
            {
                break;
            }
        }

        if (deleted > 0)
        {
            EngineLog.Collected(_logger, deleted, bytes);
        }

        operation.Complete();
        return new GarbageCollectionResult(deleted, bytes);
    }

    public Task<OriginalStatistics> GetStatisticsAsync(CancellationToken cancellationToken = default)
        => GetStatisticsAsync(null, cancellationToken);

    /// <summary>The figures of one scope, or of every scope when <paramref name="scope"/> is null.</summary>
    internal async Task<OriginalStatistics> GetStatisticsAsync(string? scope, CancellationToken cancellationToken)
    {
        using var operation = _telemetry.Start("statistics");
        var statistics = await _references.GetStatisticsAsync(scope, cancellationToken).ConfigureAwait(false);
        operation.Complete();
        return statistics;
    }

    public async Task<ReconcileResult> ReconcileAsync(ReconcileOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var operation = _telemetry.Start("reconcile");
        var result = await _reconciler.RunAsync(options ?? new ReconcileOptions(), cancellationToken).ConfigureAwait(false);
        operation.Complete();
        return result;
    }

    public async Task<AuditResult> AuditAsync(AuditOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var operation = _telemetry.Start("audit");
        var result = await _auditor.RunAsync(options ?? new AuditOptions(), cancellationToken).ConfigureAwait(false);
        operation.Complete();
        return result;
    }

    public async Task<VerifyResult> VerifyAsync(VerifyOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new VerifyOptions();
        if (options.Scope is not null)
        {
            Names.ValidateScope(options.Scope);
        }

        using var operation = _telemetry.Start("verify");
        var result = await _verifier.RunAsync(options, cancellationToken).ConfigureAwait(false);
        operation.Complete();
        return result;
    }

    internal async Task<bool> FinishDisplacedAsync(Original? displaced)
        => displaced is { State: OriginalState.Deleting, ReferenceCount: 0 } && await FinishDeletionAsync(displaced, "holder re-pointed").ConfigureAwait(false);

    private Task<bool> FinishDeletionAsync(Original claimed, string reason) => _deleter.FinishAsync(claimed, reason);

    internal void RecordIngest(bool duplicate, long length)
    {
        _telemetry.Ingests.Add(1, new KeyValuePair<string, object?>("duplicate", duplicate));
        (duplicate ? _telemetry.BytesSaved : _telemetry.BytesStored).Add(length);
    }
}
