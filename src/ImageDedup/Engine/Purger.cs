using ImageDedup.Storage;
using Microsoft.Extensions.Logging;

namespace ImageDedup.Engine;

/// <summary>
/// Takes originals down now (docs/takedown.md): block first when asked, then claim each original
/// (live → deleting, whatever its references, so nothing can attach to it or read it from then on),
/// delete its blob, release its references in bounded batches — reporting each batch to the host —
/// and delete its row. Every step is the delete protocol's: only a claimed row loses its blob, the
/// blob goes before the row, and a crash leaves a deleting row that reconcile finishes
/// (<see cref="OriginalDeleter.FinishAsync"/> releases what references are left).
/// </summary>
internal sealed class Purger(ITakedownStore store, OwnedBlobStore blobs, BlockList blocks, ImageDedupTelemetry telemetry, ImageDedupOptions options, ILogger logger)
{
    /// <summary>Originals of one digest claimed per statement; across scopes a digest rarely has more.</summary>
    private const int ClaimBatchSize = 100;

    /// <summary>The scope named in <see cref="OriginalNotFoundException"/> for a purge everywhere.</summary>
    public const string EveryScope = "*";

    /// <summary>Purges one original of <paramref name="scope"/>.</summary>
    public async Task<PurgeResult> PurgeAsync(string scope, Guid originalId, PurgeRequest request, CancellationToken cancellationToken)
    {
        TakedownRequestRules.Validate(request);
        using var operation = telemetry.Start("purge");
        var original = await store.GetAsync(originalId, cancellationToken).ConfigureAwait(false);
        if (original is not { State: OriginalState.Live or OriginalState.Deleting } || original.Scope != scope)
        {
            throw new OriginalNotFoundException(originalId, scope);
        }

        TakedownLog.PurgeRequested(logger, $"original {originalId} ({original.Digest})", TakedownLog.Where(scope), request.RequestedBy, request.Reason, request.Block);
        var block = request.Block ? await BlockAsync(scope, original.Digest, request, cancellationToken).ConfigureAwait(false) : null;
        var run = new PurgeRun(request);

        // Null when the original went meanwhile (its last holder released it): nothing is left to take down.
        if (await store.ClaimForPurgeAsync(originalId, cancellationToken).ConfigureAwait(false) is { } claimed)
        {
            await FinishAsync(claimed, run, cancellationToken).ConfigureAwait(false);
        }

        operation.Complete();
        return run.Result(original.Digest, block);
    }

    /// <summary>Purges every original of <paramref name="digest"/> in <paramref name="scope"/>, or in every scope when it is null.</summary>
    public async Task<PurgeResult> PurgeAsync(string? scope, ContentDigest digest, PurgeRequest request, CancellationToken cancellationToken)
    {
        TakedownRequestRules.ValidateDigest(digest);
        TakedownRequestRules.Validate(request);
        using var operation = telemetry.Start(scope is null ? "purge_everywhere" : "purge");
        TakedownLog.PurgeRequested(logger, digest.ToString(), TakedownLog.Where(scope), request.RequestedBy, request.Reason, request.Block);

        // The block first: a promotion of these bytes that is in flight either committed before it
        // (and is claimed below) or is refused by the store after it.
        var block = request.Block ? await BlockAsync(scope, digest, request, cancellationToken).ConfigureAwait(false) : null;
        var run = new PurgeRun(request);
        Guid? after = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var claimed = await store.ClaimForPurgeAsync(scope, digest, after, ClaimBatchSize, cancellationToken).ConfigureAwait(false);
            foreach (var original in claimed)
            {
                await FinishAsync(original, run, cancellationToken).ConfigureAwait(false);
            }

            if (claimed.Count < ClaimBatchSize)
            {
                break;
            }

            after = claimed[^1].Id;
        }

        operation.Complete();
        return run.Result(digest, block);
    }

    /// <summary>Purges the digest of one original (of any scope) in every scope.</summary>
    public async Task<PurgeResult> PurgeEverywhereAsync(Guid originalId, PurgeRequest request, CancellationToken cancellationToken)
    {
        TakedownRequestRules.Validate(request);
        var original = await store.GetAsync(originalId, cancellationToken).ConfigureAwait(false);
        if (original is not { State: OriginalState.Live or OriginalState.Deleting })
        {
            throw new OriginalNotFoundException(originalId, EveryScope);
        }

        return await PurgeAsync(null, original.Digest, request, cancellationToken).ConfigureAwait(false);
    }

    private Task<BlockListEntry> BlockAsync(string? scope, ContentDigest digest, PurgeRequest request, CancellationToken cancellationToken)
        => blocks.BlockAsync(scope, digest, new BlockRequest { RequestedBy = request.RequestedBy, Reason = request.Reason }, cancellationToken);

    /// <summary>
    /// Finishes one claimed original: blob, references (reported batch by batch), row. The blob and
    /// the batches run to their end whatever the caller's token says — they are the takedown — but the
    /// token stops the purge between batches, leaving the row claimed for a second run or reconcile.
    /// </summary>
    private async Task FinishAsync(Original claimed, PurgeRun run, CancellationToken cancellationToken)
    {
        FaultPoints.Hit(FaultPoints.PurgeAfterClaim);
        Exception? blobFailure = null;
        try
        {
            await blobs.DeleteAsync(claimed.StorageKey, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The holders are still released and reported; the claimed row keeps the bytes unreachable until reconcile deletes them.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            blobFailure = ex;
        }

        FaultPoints.Hit(FaultPoints.PurgeAfterBlobDelete);
        long released = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = await store.ReleaseClaimedAsync(claimed.Id, options.PurgeBatchSize, CancellationToken.None).ConfigureAwait(false);
            if (batch.Count > 0)
            {
                released += batch.Count;
                telemetry.PurgedReferences.Add(batch.Count);
                await run.ReportAsync(batch, cancellationToken).ConfigureAwait(false);
                FaultPoints.Hit(FaultPoints.PurgeAfterReleaseBatch);
            }

            if (batch.Count < options.PurgeBatchSize)
            {
                break;
            }
        }

        if (blobFailure is not null)
        {
            TakedownLog.PurgeUnfinished(logger, blobFailure, claimed.Id, "blob");
            run.Unfinished(claimed.Id);
            return;
        }

        FaultPoints.Hit(FaultPoints.BeforeRowDelete);

        // False when a concurrent finisher (the release of a last holder, reconcile, a second purge)
        // deleted the row first: the original is gone all the same.
        if (!await store.DeleteClaimedAsync(claimed.Id, CancellationToken.None).ConfigureAwait(false)
            && await store.GetAsync(claimed.Id, CancellationToken.None).ConfigureAwait(false) is not null)
        {
            TakedownLog.PurgeUnfinished(logger, null, claimed.Id, "row");
            run.Unfinished(claimed.Id);
            return;
        }

        TakedownLog.Purged(logger, claimed.Id, claimed.Digest, claimed.Scope, released, run.Request.RequestedBy, run.Request.Reason);
        telemetry.Purges.Add(1);
        telemetry.Deletions.Add(1, new KeyValuePair<string, object?>("reason", "purged"));
        run.Purged(claimed.Id);
    }

    /// <summary>What one purge call has done so far, and where its holders go.</summary>
    private sealed class PurgeRun(PurgeRequest request)
    {
        private readonly List<Guid> _purged = [];
        private readonly List<Guid> _unfinished = [];
        private readonly List<HolderReference> _holders = [];
        private long _released;

        public PurgeRequest Request => request;

        public async Task ReportAsync(IReadOnlyList<HolderReference> batch, CancellationToken cancellationToken)
        {
            _released += batch.Count;
            if (request.OnHoldersReleased is { } report)
            {
                await report(batch, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                _holders.AddRange(batch);
            }
        }

        public void Purged(Guid id) => _purged.Add(id);

        public void Unfinished(Guid id) => _unfinished.Add(id);

        public PurgeResult Result(ContentDigest digest, BlockListEntry? block) => new()
        {
            Digest = digest,
            OriginalsPurged = _purged,
            OriginalsUnfinished = _unfinished,
            HoldersReleased = _released,
            Holders = _holders,
            Block = block,
        };
    }
}
