using ImageDedup.Storage;
using Microsoft.Extensions.Logging;

namespace ImageDedup.Engine;

/// <summary>
/// Repairs what a crash at any step of the protocol can leave: pending rows (ingest died before
/// going live), deleting rows (claimer died) and the blob store's abandoned writes. Every path
/// keeps a row until its blob is gone (docs/delete-protocol.md), so no crash leaves a blob without
/// a row and this costs what crashes left: two indexed queries and the store's in-flight listing.
/// The sweeps over everything stored are <see cref="Auditor"/>'s.
/// </summary>
/// <remarks>
/// It touches only what is this catalogue's: each run first claims the blob store's location again
/// (<see cref="CatalogueOwnership.ConfirmAsync"/>) and fails with
/// <see cref="BlobStoreOwnershipException"/> before changing anything when another catalogue owns
/// it.
/// <para>
/// Pending rows and abandoned writes are removed only once older than the grace period and
/// twice <see cref="ImageDedupOptions.IngestWriteTimeout"/>: an ingest gives up at its timeout,
/// so past twice that no ingest can still be writing or committing them.
/// </para>
/// </remarks>
internal sealed class Reconciler(IReferenceStore references, OwnedBlobStore blobs, CatalogueOwnership ownership, OriginalDeleter deleter, ImageDedupOptions engineOptions, ILogger logger)
{
    public async Task<ReconcileResult> RunAsync(ReconcileOptions options, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.BatchSize, 10_000);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.DryRunLimit, 1);
        var grace = options.GracePeriod ?? engineOptions.OrphanGracePeriod;
        ArgumentOutOfRangeException.ThrowIfLessThan(grace, TimeSpan.Zero);

        // Pending rows and unfinished blob writes may belong to an ingest still in flight: they
        // are garbage only once older than any ingest may take, which the engine enforces on
        // itself (IngestWriteTimeout). A grace period of zero cannot reach them earlier.
        await ownership.ConfirmAsync(cancellationToken).ConfigureAwait(false);
        var inFlight = WriteDeadline.ReapAfter(engineOptions.IngestWriteTimeout);
        var writes = grace > inFlight ? grace : inFlight;
        var pending = await RemoveStalePendingAsync(options, writes, cancellationToken).ConfigureAwait(false);
        var deletions = await FinishStaleDeletionsAsync(options, grace, cancellationToken).ConfigureAwait(false);
        var incomplete = options.DryRun ? 0 : await blobs.DeleteIncompleteWritesAsync(writes, cancellationToken).ConfigureAwait(false);

        var result = new ReconcileResult
        {
            DryRun = options.DryRun,
            PendingRemoved = pending,
            DeletionsFinished = deletions,
            IncompleteWritesDeleted = incomplete,
        };
        ReconcileLog.Finished(logger, result.DryRun, pending, deletions, incomplete);
        return result;
    }

    private async Task<long> RemoveStalePendingAsync(ReconcileOptions options, TimeSpan grace, CancellationToken cancellationToken)
    {
        if (options.DryRun)
        {
            return (await references.ListStaleAsync(OriginalState.Pending, grace, options.DryRunLimit, cancellationToken).ConfigureAwait(false)).Count;
        }

        long removed = 0;
        var seen = new HashSet<Guid>();
        while (true)
        {
            var stale = await references.ListStaleAsync(OriginalState.Pending, grace, options.BatchSize, cancellationToken).ConfigureAwait(false);
            var fresh = stale.Where(o => seen.Add(o.Id)).ToList();
            foreach (var original in fresh)
            {
                // Only the caller that claims the row may delete the blob: if the ingest went live
                // after all, its bytes stay. The row goes after the blob, so a crash in between
                // leaves a deleting row for the next run, never a blob without a row.
                cancellationToken.ThrowIfCancellationRequested();
                if (await references.ClaimPendingAsync(original.Id, cancellationToken).ConfigureAwait(false) is { } claimed
                    && await deleter.FinishIngestAsync(claimed.Id, claimed.StorageKey, written: true).ConfigureAwait(false))
                {
                    ReconcileLog.PendingRemoved(logger, original.Id);
                    removed++;
                }
            }

            if (stale.Count < options.BatchSize || fresh.Count == 0)
            {
                return removed;
            }
        }
    }

    private async Task<long> FinishStaleDeletionsAsync(ReconcileOptions options, TimeSpan grace, CancellationToken cancellationToken)
    {
        if (options.DryRun)
        {
            return (await references.ListStaleAsync(OriginalState.Deleting, grace, options.DryRunLimit, cancellationToken).ConfigureAwait(false)).Count;
        }

        long finished = 0;
        var seen = new HashSet<Guid>();
        while (true)
        {
            var stale = await references.ListStaleAsync(OriginalState.Deleting, grace, options.BatchSize, cancellationToken).ConfigureAwait(false);
            var fresh = stale.Where(o => seen.Add(o.Id)).ToList();
            foreach (var original in fresh)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (await deleter.FinishAsync(original, "unfinished deletion reconciled").ConfigureAwait(false))
                {
                    finished++;
                }
            }

            // A row whose deletion keeps failing comes back in every batch; it is not retried in this run.
            if (stale.Count < options.BatchSize || fresh.Count == 0)
            {
                return finished;
            }
        }
    }
}
