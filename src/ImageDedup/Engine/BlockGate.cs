using ImageDedup.Storage;
using Microsoft.Extensions.Logging;

namespace ImageDedup.Engine;

/// <summary>
/// Where an ingest meets the block list (<see cref="ITakedownStore"/>), logged at Information and
/// counted (<c>imagededup.refusals</c>). A single ingest asks nothing itself: the store's attach
/// statement, its first write, refuses a blocked digest before attaching anything or inserting a
/// pending row, so blocked bytes leave no row, no blob and no reference, at no extra round trip;
/// <see cref="ReportAsync"/> only logs that refusal. A batch asks for its whole group at once
/// (<see cref="CheckManyAsync"/>) so one blocked item does not fail the group's statement.
/// </summary>
/// <remarks>
/// A block added later, before a new original is promoted, is caught by the promotion itself, so a
/// blocked digest never becomes live whatever the timing. Without the capability there is no block
/// list and nothing is refused.
/// </remarks>
internal sealed class BlockGate(ITakedownStore? store, ImageDedupTelemetry telemetry, ILogger logger)
{
    /// <summary>Logs and counts the store's refusal of an ingest, with the entry behind it; returns it to throw.</summary>
    public async Task<BlockedContentException> ReportAsync(BlockedContentException refused, CancellationToken cancellationToken)
    {
        // Only on a refusal: the entry's scope, time and reason for the log.
        var entry = store is null ? null : await store.FindBlockAsync(refused.Scope, refused.Digest, cancellationToken).ConfigureAwait(false);
        Count(refused.Scope, entry ?? new BlockListEntry(refused.Scope, refused.Digest, "(unblocked since)", string.Empty, default));
        return refused;
    }

    /// <summary>
    /// The same check for many digests in one round trip (a batch ingest's group): the refusal of each
    /// blocked digest, logged and counted like a single refusal; digests nothing blocks are absent.
    /// </summary>
    public async Task<IReadOnlyDictionary<ContentDigest, BlockedContentException>> CheckManyAsync(string scope, IReadOnlyCollection<ContentDigest> digests, CancellationToken cancellationToken)
    {
        if (store is null || digests.Count == 0)
        {
            return new Dictionary<ContentDigest, BlockedContentException>();
        }

        var blocked = await store.FindBlocksAsync(scope, digests, cancellationToken).ConfigureAwait(false);
        return blocked.ToDictionary(b => b.Key, b =>
        {
            Count(scope, b.Value);
            return new BlockedContentException(b.Value.Digest, scope);
        });
    }

    private void Count(string scope, BlockListEntry entry)
    {
        TakedownLog.IngestRefused(logger, scope, entry.Digest, TakedownLog.Where(entry.Scope), entry.BlockedAt, entry.Reason);
        telemetry.Refusals.Add(1, new KeyValuePair<string, object?>("reason", "blocked"));
    }
}
