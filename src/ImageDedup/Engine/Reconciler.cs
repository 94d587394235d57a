using ImageDedup.Shared;
using ImageDedup.Storage;
using Microsoft.Extensions.Logging;

namespace ImageDedup.Engine;

/// <summary>
/// Repairs what a crash at any step of the protocol can leave: pending rows (ingest died before
/// going live), deleting rows (claimer died), blobs without a row (clean-up died), abandoned
/// blob writes, and — never dropped, only marked — live rows whose blob has gone missing.
/// </summary>
/// <remarks>
/// It touches only what is this catalogue's: each run first claims the blob store's location again
/// (<see cref="CatalogueOwnership.ConfirmAsync"/>) and fails with
/// <see cref="BlobStoreOwnershipException"/> before changing anything when another catalogue owns
/// it, and the row-less-blob sweep considers only keys in the engine's own format
/// (<see cref="StorageKeys.IsEngineKey"/>); whatever else lives at the location is skipped.
/// <para>
/// Pending rows and abandoned writes are removed only once older than the grace period and
/// twice <see cref="ImageDedupOptions.IngestWriteTimeout"/>: an ingest gives up at its timeout,
/// so past twice that no ingest can still be writing or committing them.
/// </para>
/// </remarks>
internal sealed class Reconciler(IReferenceStore references, OwnedBlobStore blobs, CatalogueOwnership ownership, OriginalDeleter deleter, ImageDedupOptions engineOptions, ILogger logger)
{
    private const int MaxReportedMissing = 1000;

    public async Task<ReconcileResult> RunAsync(ReconcileOptions options, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.BatchSize, 10_000);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.DryRunLimit, 1);
        var grace = options.GracePeriod ?? engineOptions.OrphanGracePeriod;
        ArgumentOutOfRangeException.ThrowIfLessThan(grace, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ClockSkewAllowance, TimeSpan.Zero);

        // Pending rows and unfinished blob writes may belong to an ingest still in flight: they
        // are garbage only once older than any ingest may take, which the engine enforces on
        // itself (IngestWriteTimeout). A grace period of zero cannot reach them earlier.
        await ownership.ConfirmAsync(cancellationToken).ConfigureAwait(false);
        var inFlight = WriteDeadline.ReapAfter(engineOptions.IngestWriteTimeout);
        var writes = grace > inFlight ? grace : inFlight;
        var pending = await RemoveStalePendingAsync(options, writes, cancellationToken).ConfigureAwait(false);
        var deletions = await FinishStaleDeletionsAsync(options, grace, cancellationToken).ConfigureAwait(false);
        var missing = options.CheckMissingBlobs
            ? await MarkMissingBlobsAsync(options, cancellationToken).ConfigureAwait(false)
            : [];
        var orphanBlobs = await DeleteRowlessBlobsAsync(options, grace, cancellationToken).ConfigureAwait(false);
        var incomplete = options.DryRun ? 0 : await blobs.DeleteIncompleteWritesAsync(writes, cancellationToken).ConfigureAwait(false);

        var result = new ReconcileResult
        {
            DryRun = options.DryRun,
            PendingRemoved = pending,
            DeletionsFinished = deletions,
            OrphanBlobsDeleted = orphanBlobs,
            IncompleteWritesDeleted = incomplete,
            MissingBlobs = missing,
        };
        ReconcileLog.Finished(logger, result.DryRun, pending, deletions, orphanBlobs, incomplete, missing.Count);
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
                // Only the caller that removes the row may delete the blob: if the ingest went
                // live after all, its bytes stay.
                if (await references.DeletePendingAsync(original.Id, cancellationToken).ConfigureAwait(false))
                {
                    await blobs.DeleteAsync(original.StorageKey, cancellationToken).ConfigureAwait(false);
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

    private async Task<IReadOnlyList<Guid>> MarkMissingBlobsAsync(ReconcileOptions options, CancellationToken cancellationToken)
    {
        var missing = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await references.ListOriginalsAsync(null, cursor, options.BatchSize, cancellationToken).ConfigureAwait(false);
            foreach (var original in page.Items.Where(o => o.State == OriginalState.Live))
            {
                var present = await blobs.GetPropertiesAsync(original.StorageKey, cancellationToken).ConfigureAwait(false) is not null;
                if (present)
                {
                    if (original.BlobMissingSince is not null && !options.DryRun)
                    {
                        await references.MarkBlobMissingAsync(original.Id, missing: false, cancellationToken).ConfigureAwait(false);
                    }

                    continue;
                }

                // The row may have been claimed and its blob deleted since the page was read.
                var current = await references.GetAsync(original.Id, cancellationToken).ConfigureAwait(false);
                if (current?.State != OriginalState.Live)
                {
                    continue;
                }

                ReconcileLog.BlobMissing(logger, original.Id, original.StorageKey);
                if (!options.DryRun)
                {
                    await references.MarkBlobMissingAsync(original.Id, missing: true, cancellationToken).ConfigureAwait(false);
                }

                if (missing.Count < MaxReportedMissing)
                {
                    missing.Add(original.Id);
                }
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);

        return missing;
    }

    private async Task<long> DeleteRowlessBlobsAsync(ReconcileOptions options, TimeSpan grace, CancellationToken cancellationToken)
    {
        // A row is always inserted before its blob is written and deleted after it, so a blob no
        // row names is garbage; the grace period only guards against clocks and surprises.
        var cutoff = await references.GetTimeAsync(cancellationToken).ConfigureAwait(false) - grace - options.ClockSkewAllowance;
        long deleted = 0;
        var batch = new List<BlobProperties>(options.BatchSize);
        await foreach (var blob in blobs.ListAsync(StorageKeys.Prefix, cancellationToken).ConfigureAwait(false))
        {
            // A host's own file or object at the location is not ours to judge, whatever its age.
            if (!StorageKeys.IsEngineKey(blob.Key))
            {
                continue;
            }

            batch.Add(blob);
            if (batch.Count == options.BatchSize)
            {
                deleted += await DeleteRowlessAsync(batch, cutoff, options.DryRun, cancellationToken).ConfigureAwait(false);
                batch.Clear();
                if (options.DryRun && deleted >= options.DryRunLimit)
                {
                    return deleted;
                }
            }
        }

        return deleted + await DeleteRowlessAsync(batch, cutoff, options.DryRun, cancellationToken).ConfigureAwait(false);
    }

    private async Task<long> DeleteRowlessAsync(List<BlobProperties> batch, DateTimeOffset cutoff, bool dryRun, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return 0;
        }

        var named = await references.FindStorageKeysAsync(batch.Select(b => b.Key).ToList(), cancellationToken).ConfigureAwait(false);
        long deleted = 0;
        foreach (var blob in batch.Where(b => !named.Contains(b.Key) && b.LastModified <= cutoff))
        {
            if (!dryRun)
            {
                await blobs.DeleteAsync(blob.Key, cancellationToken).ConfigureAwait(false);
                ReconcileLog.RowlessBlobDeleted(logger, blob.Key);
            }

            deleted++;
        }

        return deleted;
    }
}
