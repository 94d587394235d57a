using ImageDedup.Storage;
using Microsoft.Extensions.Logging;

namespace ImageDedup.Engine;

/// <summary>
/// Finishes a deletion that was claimed in the reference store: the blob first, then the row.
/// If either step fails the row stays <see cref="OriginalState.Deleting"/>, where no reference can
/// reach it, and reconcile finishes the job; the caller's own operation has already committed.
/// </summary>
internal sealed class OriginalDeleter(IReferenceStore references, OwnedBlobStore blobs, ImageDedupTelemetry telemetry, ILogger logger, int referenceBatchSize)
{
    /// <returns>True when this call deleted the row; false when it failed or another caller (reconcile) finished first.</returns>
    public async Task<bool> FinishAsync(Original claimed, string reason)
    {
        FaultPoints.Hit(FaultPoints.AfterDeletingClaim);
        bool deleted;
        try
        {
            // Claimed work is finished even when the caller cancels: a half-done claim would
            // wait for reconcile.
            await blobs.DeleteAsync(claimed.StorageKey, CancellationToken.None).ConfigureAwait(false);
            FaultPoints.Hit(FaultPoints.AfterBlobDelete);
            if (claimed.ReferenceCount > 0)
            {
                await ReleaseInterruptedPurgeAsync(claimed).ConfigureAwait(false);
            }

            FaultPoints.Hit(FaultPoints.BeforeRowDelete);
            deleted = await references.DeleteClaimedAsync(claimed.Id, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // See the summary: the claim keeps the original unreachable until reconcile.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            EngineLog.DeletionUnfinished(logger, ex, claimed.Id);
            return false;
        }

        if (!deleted)
        {
            return false;
        }

        EngineLog.Deleted(logger, claimed.Id, reason);
        telemetry.Deletions.Add(1, new KeyValuePair<string, object?>("reason", reason));
        return true;
    }

    /// <summary>
    /// A claimed original with references left is a purge that was interrupted (only a purge claims
    /// one, <see cref="ITakedownStore"/>): its holders are released here, unreported, so the row can go.
    /// </summary>
    private async Task ReleaseInterruptedPurgeAsync(Original claimed)
    {
        if (references is not ITakedownStore takedown)
        {
            return; // no purge could have claimed it; the row delete below refuses and reports
        }

        long released = 0;
        while (true)
        {
            var batch = await takedown.ReleaseClaimedAsync(claimed.Id, referenceBatchSize, CancellationToken.None).ConfigureAwait(false);
            released += batch.Count;
            if (batch.Count < referenceBatchSize)
            {
                break;
            }
        }

        if (released > 0)
        {
            telemetry.PurgedReferences.Add(released);
            TakedownLog.InterruptedPurgeReleased(logger, released, claimed.Id);
        }
    }

    /// <summary>
    /// Finishes the deletion of a claimed pending original — an ingest that failed, lost the race
    /// to another of the same bytes, or was given up on by reconcile: the blob first, then the row.
    /// No content anyone held goes, so success logs nothing and counts no deletion. On failure the
    /// row stays <see cref="OriginalState.Deleting"/> for reconcile.
    /// </summary>
    /// <param name="id">The claimed original.</param>
    /// <param name="key">Its blob key.</param>
    /// <param name="written">Whether the blob was written. When it was not, the store has undone its own write and a failed delete here is logged at Debug, not as a failed clean-up.</param>
    /// <returns>True when this call deleted the row.</returns>
    public async Task<bool> FinishIngestAsync(Guid id, string key, bool written)
    {
        try
        {
            await blobs.DeleteAsync(key, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The caller is failing with its own exception, or is reconcile; the claim keeps the row for the next run.
        catch (Exception ex) when (!written)
#pragma warning restore CA1031
        {
            EngineLog.UnwrittenBlobNotDeleted(logger, ex, id, key);
            return false;
        }
#pragma warning disable CA1031 // As above.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            EngineLog.CleanupFailed(logger, ex, id);
            return false;
        }

        try
        {
            return await references.DeleteClaimedAsync(id, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // As above.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            EngineLog.CleanupFailed(logger, ex, id);
            return false;
        }
    }
}
