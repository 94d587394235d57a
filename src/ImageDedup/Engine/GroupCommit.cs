using ImageDedup.Shared;
using ImageDedup.Storage;
using Microsoft.Extensions.Logging;

namespace ImageDedup.Engine;

/// <summary>
/// Settles one group of a batch ingest with the single-ingest protocol (docs/delete-protocol.md),
/// each step done for the whole group at once: one transaction attaches the duplicates, one inserts
/// the pending rows of the new bytes, their blobs are written without flushing and then flushed
/// once, one transaction promotes them. Every row still outlives its blob, so a crash between any
/// two steps leaves what a crashed single ingest leaves (docs/batch-ingest.md has the argument).
/// </summary>
/// <remarks>
/// Items of one digest: the first is written, the others wait for the next round, where the attach
/// step finds what the first stored — or, if it failed or was refused, the next one tries. Rounds
/// repeat until every item of the group is settled; each round settles at least the first item of
/// each digest, so they end.
/// </remarks>
internal sealed class GroupCommit(
    ImageDedupEngine engine,
    IReferenceStore references,
    OwnedBlobStore blobs,
    IContentHasher hasher,
    QuotaGate quotas,
    BlockGate blocks,
    ImageDedupOptions options,
    ILogger logger,
    bool claimAtOnce)
{
    /// <summary>Settles every item of <paramref name="group"/> that is not settled yet.</summary>
    /// <returns>
    /// False when the caller cancelled: the step under way finished or was undone, and every item is
    /// either settled (its effect committed) or untouched.
    /// </returns>
    public async Task<bool> RunAsync(string scope, IReadOnlyList<BatchItem> group, int writeConcurrency, CancellationToken cancellationToken)
    {
        var open = group.Where(i => !i.Settled).ToList();
        try
        {
            open = await RefuseBlockedAsync(scope, open, cancellationToken).ConfigureAwait(false);
            while (open.Count > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var fresh = await AttachAsync(scope, open, cancellationToken).ConfigureAwait(false);
                var writers = new List<BatchItem>();
                var waiting = new List<BatchItem>();
                var digests = new HashSet<ContentDigest>();
                foreach (var item in fresh)
                {
                    (digests.Add(item.Content!.Digest) ? writers : waiting).Add(item);
                }

                var admitted = await AdmitAsync(scope, writers, cancellationToken).ConfigureAwait(false);
                if (admitted.Count > 0)
                {
                    await StoreAsync(scope, admitted, writeConcurrency, cancellationToken).ConfigureAwait(false);
                }

                open = waiting;
            }

            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        finally
        {
            BatchIngestLog.GroupCommitted(
                logger,
                scope,
                group.Count,
                group.Count(i => i.Result is { StoredNewBytes: false }),
                group.Count(i => i.Result is { StoredNewBytes: true }),
                group.Count(i => i.Error is not null));
        }
    }

    /// <summary>
    /// Step 0, one read: items whose bytes the block list refuses in this scope are settled with the
    /// refusal before anything is attached or written, as single ingest's <see cref="BlockGate"/> does;
    /// the others are returned. The store's group statements refuse a block that lands after this read.
    /// </summary>
    private async Task<List<BatchItem>> RefuseBlockedAsync(string scope, List<BatchItem> open, CancellationToken cancellationToken)
    {
        IReadOnlyDictionary<ContentDigest, BlockedContentException> refused;
        try
        {
            refused = await blocks.CheckManyAsync(scope, [.. open.Select(i => i.Content!.Digest).Distinct()], cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!IsCallerCancellation(ex, cancellationToken))
        {
            FailAll(open, ex);
            return [];
        }

        if (refused.Count == 0)
        {
            return open;
        }

        var admitted = new List<BatchItem>(open.Count);
        foreach (var item in open)
        {
            if (refused.TryGetValue(item.Content!.Digest, out var refusal))
            {
                item.Fail(refusal);
            }
            else
            {
                admitted.Add(item);
            }
        }

        return admitted;
    }

    /// <summary>
    /// Step 1, one transaction: every item whose bytes the scope holds is attached (settled); the
    /// others are returned. A failed transaction changed nothing and fails every item.
    /// </summary>
    private async Task<List<BatchItem>> AttachAsync(string scope, List<BatchItem> open, CancellationToken cancellationToken)
    {
        IReadOnlyList<ReferenceChange?> changes;
        try
        {
            changes = await references.TryAttachManyAsync(scope, [.. open.Select(i => new DigestAttachment(i.Content!.Digest, i.Holder))], claimAtOnce, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!IsCallerCancellation(ex, cancellationToken))
        {
            FailAll(open, ex);
            return [];
        }

        FaultPoints.Hit(FaultPoints.BatchAfterAttach);
        var fresh = new List<BatchItem>();
        for (var i = 0; i < open.Count; i++)
        {
            if (changes[i] is not { } change)
            {
                fresh.Add(open[i]);
                continue;
            }

            var item = open[i];
            var content = item.Content!;

            // Committed: the item is settled whatever happens next, so the heal and the displaced
            // original's deletion run to their end as in single ingest.
            var restored = change.Original.BlobMissingSince is not null
                && await engine.RestoreBlobAsync(change.Original, content, CancellationToken.None).ConfigureAwait(false);
            await engine.FinishDisplacedAsync(change.Displaced).ConfigureAwait(false);
            EngineLog.Duplicate(logger, scope, change.Original.Id, content.Digest);
            engine.RecordIngest(duplicate: !restored, content.Length);
            var original = restored ? change.Original with { BlobMissingSince = null } : change.Original;
            item.Succeed(new IngestResult(original, StoredNewBytes: restored, change.Added));
        }

        return fresh;
    }

    /// <summary>
    /// The per-item checks of new bytes, all in this one place, before anything is written: the scope's
    /// quota, each item in input order (<see cref="QuotaGate.CheckEachAsync"/>). A refused item is
    /// settled with the refusal; the admitted ones are returned.
    /// </summary>
    private async Task<List<BatchItem>> AdmitAsync(string scope, List<BatchItem> writers, CancellationToken cancellationToken)
    {
        if (writers.Count == 0)
        {
            return writers;
        }

        QuotaExceededException?[] refusals;
        try
        {
            refusals = await quotas.CheckEachAsync(scope, [.. writers.Select(w => w.Content!.Length)], cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!IsCallerCancellation(ex, cancellationToken))
        {
            FailAll(writers, ex);
            return [];
        }

        var admitted = new List<BatchItem>(writers.Count);
        for (var i = 0; i < writers.Count; i++)
        {
            if (refusals[i] is { } refusal)
            {
                writers[i].Fail(refusal);
            }
            else
            {
                admitted.Add(writers[i]);
            }
        }

        return admitted;
    }

    /// <summary>Steps 2 to 5 for the group's new bytes: pending rows, blob writes, one flush, promotion.</summary>
    private async Task StoreAsync(string scope, List<BatchItem> writers, int writeConcurrency, CancellationToken cancellationToken)
    {
        // Started before the pending rows exist, as in single ingest: reconcile may take them once
        // they are twice the timeout old, so promotion must start within it.
        using var deadline = new WriteDeadline(options.IngestWriteTimeout, cancellationToken);
        foreach (var writer in writers)
        {
            var content = writer.Content!;
            var id = Guid.CreateVersion7();
            writer.Pending = new NewOriginal(id, scope, content.Digest, content.Length, content.ContentType, StorageKeys.For(content.Digest, id));
        }

        try
        {
            await references.InsertPendingManyAsync([.. writers.Select(w => w.Pending!)], cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!IsCallerCancellation(ex, cancellationToken))
        {
            // One transaction: no row was inserted (or, if its commit's failure was lost on the way,
            // pending rows without blobs are left to reconcile, as by a single ingest).
            FailAll(writers, ex);
            return;
        }

        FaultPoints.Hit(FaultPoints.BatchAfterPendingRows);
        try
        {
            await WriteBlobsAsync(writers, writeConcurrency, deadline).ConfigureAwait(false);
            FaultPoints.Hit(FaultPoints.BatchAfterBlobWrites);
            cancellationToken.ThrowIfCancellationRequested();
            var written = writers.Where(w => w.Written).Select(w => w.Pending!.StorageKey).ToList();
            if (written.Count > 0)
            {
                // The one flush of the group: after it, every blob written above is as durable as a
                // single ingest's before its promotion.
                await blobs.FlushAsync(written, deadline.Token).ConfigureAwait(false);
            }

            FaultPoints.Hit(FaultPoints.BatchBeforePromote);

            // As in single ingest, the promotion starts only within the deadline and then runs to
            // its end: cancelling it half-way would leave the caller unsure whether it committed.
            cancellationToken.ThrowIfCancellationRequested();
            deadline.ThrowIfExpired();
        }
        catch (Exception ex)
        {
            BatchIngestLog.GroupAbandoned(logger, ex, writers.Count, scope);
            await AbandonAsync(writers).ConfigureAwait(false);
            if (IsCallerCancellation(ex, cancellationToken))
            {
                throw;
            }

            FailAll(writers, deadline.AsTimeout(ex) ?? ex);
            return;
        }

        await PromoteAsync(scope, writers).ConfigureAwait(false);
    }

    /// <summary>
    /// Step 3: every blob written, at most <paramref name="writeConcurrency"/> at once, without a
    /// flush each. A failed write fails its item only (the store has undone it); its row goes
    /// after the promotion, with the others that did not go live.
    /// </summary>
    private async Task WriteBlobsAsync(List<BatchItem> writers, int writeConcurrency, WriteDeadline deadline)
    {
        var done = 0;
        await Parallel.ForEachAsync(
            writers,
            new ParallelOptions { MaxDegreeOfParallelism = writeConcurrency },
            async (writer, _) =>
            {
                var content = writer.Content!;
                var pending = writer.Pending!;
                try
                {
                    var bytes = content.OpenForWrite(hasher);
                    await using (bytes.ConfigureAwait(false))
                    {
                        await blobs.WriteWithoutFlushAsync(pending.StorageKey, bytes, new BlobMetadata(content.Digest, content.Length, content.ContentType), deadline.Token).ConfigureAwait(false);
                    }

                    writer.Written = true;
                    if (Interlocked.Increment(ref done) == 1)
                    {
                        FaultPoints.Hit(FaultPoints.BatchAfterFirstBlob);
                    }
                }
#pragma warning disable CA1031 // One item's failed write is that item's outcome; the others go on.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    EngineLog.IngestAbandoned(logger, ex, pending.Id);
                    writer.Fail(deadline.AsTimeout(ex) ?? ex);
                }
            }).ConfigureAwait(false);
    }

    /// <summary>
    /// Step 5, one transaction: the written originals go live and get their holders. Whatever did not
    /// go live is undone afterwards: rows that lost the race to another live original of their
    /// digest (claimed by the promotion), and rows whose write failed.
    /// </summary>
    private async Task PromoteAsync(string scope, List<BatchItem> writers)
    {
        var promoted = writers.Where(w => w.Written).ToList();
        var unwritten = writers.Where(w => !w.Written).ToList();
        IReadOnlyList<ReferenceChange?> changes;
        try
        {
            changes = promoted.Count == 0 ? [] : await references.PromoteManyAsync(
                [.. promoted.Select(w => new PendingPromotion(w.Pending!.Id, w.Holder))],
                claimAtOnce,
                CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Rows that went live before the failure surfaced are not pending any more, so the undo
            // leaves them (and their bytes) alone, as single ingest's does.
            BatchIngestLog.GroupAbandoned(logger, ex, writers.Count, scope);
            await AbandonAsync(writers).ConfigureAwait(false);
            FailAll(writers, ex);
            return;
        }

        FaultPoints.Hit(FaultPoints.BatchAfterPromote);
        var lost = new List<(Guid Id, string Key, bool Written)>();
        var refused = new List<BatchItem>();
        for (var i = 0; i < promoted.Count; i++)
        {
            var writer = promoted[i];
            var pending = writer.Pending!;
            if (changes[i] is not { } change)
            {
                // Nothing went live: the block list refused the digest since step 0 (the row stays
                // pending), or reconcile took the row (its write outran twice the timeout).
                refused.Add(writer);
                continue;
            }

            await engine.FinishDisplacedAsync(change.Displaced).ConfigureAwait(false);
            var won = change.Original.Id == pending.Id;
            if (won)
            {
                EngineLog.Stored(logger, pending.Id, pending.Digest, pending.Length, pending.ContentType, scope);
            }
            else
            {
                // Another ingest of the same bytes went live first; the promotion claimed this row.
                EngineLog.Superseded(logger, pending.Id, pending.Digest, change.Original.Id);
                lost.Add((pending.Id, pending.StorageKey, true));
            }

            engine.RecordIngest(duplicate: !won, pending.Length);
            writer.Succeed(new IngestResult(change.Original, StoredNewBytes: won, change.Added));
        }

        await FinishClaimedAsync(lost).ConfigureAwait(false);
        if (unwritten.Count > 0)
        {
            await AbandonAsync(unwritten).ConfigureAwait(false);
        }

        if (refused.Count > 0)
        {
            await AbandonRefusedAsync(scope, refused).ConfigureAwait(false);
        }
    }

    /// <summary>Undoes the items whose promotion changed nothing, and tells each why: blocked, or taken by reconcile.</summary>
    private async Task AbandonRefusedAsync(string scope, List<BatchItem> refused)
    {
        await AbandonAsync(refused).ConfigureAwait(false);
        IReadOnlyDictionary<ContentDigest, BlockedContentException> blocked;
        try
        {
            blocked = await blocks.CheckManyAsync(scope, [.. refused.Select(w => w.Pending!.Digest).Distinct()], CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Only the items' error message depends on it; nothing is left to undo.
        catch (Exception)
#pragma warning restore CA1031
        {
            blocked = new Dictionary<ContentDigest, BlockedContentException>();
        }

        foreach (var writer in refused)
        {
            writer.Fail(blocked.TryGetValue(writer.Pending!.Digest, out var refusal)
                ? refusal
                : new InvalidOperationException($"The original '{writer.Pending.Id}' is missing or no longer pending."));
        }
    }

    /// <summary>
    /// Undoes pending originals that will not go live: claims the rows still pending (pending →
    /// deleting, one transaction), then deletes their blobs, then the rows. A row no longer pending is
    /// not this call's: it went live (its bytes stay) or reconcile claimed it.
    /// </summary>
    private async Task AbandonAsync(List<BatchItem> writers)
    {
        var written = writers.ToDictionary(w => w.Pending!.Id, w => w.Written);
        IReadOnlyList<Original> claimed;
        try
        {
            claimed = await references.ClaimPendingManyAsync(written.Keys, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The items already fail with their own exception; reconcile removes what is left.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            BatchIngestLog.GroupCleanupFailed(logger, ex, written.Count);
            return;
        }

        FaultPoints.Hit(FaultPoints.BatchAfterAbandonClaim);
        await FinishClaimedAsync([.. claimed.Select(o => (o.Id, o.StorageKey, written[o.Id]))]).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes the blobs of claimed rows, then (one transaction) the rows whose blob is gone. A row
    /// whose blob could not be deleted stays claimed for reconcile; a blob that was never written is
    /// only a second try (the store undid the write), whose failure is no failed clean-up.
    /// </summary>
    private async Task FinishClaimedAsync(List<(Guid Id, string Key, bool Written)> claimed)
    {
        if (claimed.Count == 0)
        {
            return;
        }

        var gone = new List<Guid>(claimed.Count);
        await Parallel.ForEachAsync(
            claimed,
            async (row, _) =>
            {
                try
                {
                    await blobs.DeleteAsync(row.Key, CancellationToken.None).ConfigureAwait(false);
                    lock (gone)
                    {
                        gone.Add(row.Id);
                    }
                }
#pragma warning disable CA1031 // The row stays claimed; reconcile finishes it.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    if (row.Written)
                    {
                        EngineLog.CleanupFailed(logger, ex, row.Id);
                    }
                    else
                    {
                        EngineLog.UnwrittenBlobNotDeleted(logger, ex, row.Id, row.Key);
                    }
                }
            }).ConfigureAwait(false);

        try
        {
            await references.DeleteClaimedManyAsync(gone, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // As above: the rows stay claimed for reconcile.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            BatchIngestLog.GroupCleanupFailed(logger, ex, gone.Count);
        }
    }

    private static void FailAll(List<BatchItem> items, Exception error)
    {
        foreach (var item in items)
        {
            item.Fail(error);
        }
    }

    private static bool IsCallerCancellation(Exception ex, CancellationToken cancellationToken)
        => ex is OperationCanceledException && cancellationToken.IsCancellationRequested;
}
