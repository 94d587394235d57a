using ImageDedup.Storage;
using Microsoft.Extensions.Logging;

namespace ImageDedup.Engine;

/// <summary>
/// The one place an ingest asks the block list (<see cref="ITakedownStore"/>): after hashing and
/// before anything is written — before the holder is attached to existing bytes or a pending
/// original is inserted — so blocked bytes leave no row, no blob and no reference. A refusal is
/// logged at Information and counted (<c>imagededup.refusals</c>).
/// </summary>
/// <remarks>
/// This check is the early, cheap refusal, not the guarantee: a block added between it and the
/// store's statement is caught by the statement itself (attach and promotion refuse a blocked digest
/// in the same transaction), so a blocked digest never becomes live whatever the timing. A reference
/// added to an existing original (<see cref="IImageDedupScope.AddReferenceAsync(Guid, string, CancellationToken)"/>)
/// writes nothing before that statement, so it is refused there alone. Without the capability there
/// is no block list and the gate lets everything through.
/// </remarks>
internal sealed class BlockGate(ITakedownStore? store, ImageDedupTelemetry telemetry, ILogger logger)
{
    /// <summary>Throws <see cref="BlockedContentException"/> when <paramref name="digest"/> is blocked in <paramref name="scope"/> or everywhere.</summary>
    public async Task CheckAsync(string scope, ContentDigest digest, CancellationToken cancellationToken)
    {
        if (store is null)
        {
            return;
        }

        if (await store.FindBlockAsync(scope, digest, cancellationToken).ConfigureAwait(false) is { } entry)
        {
            throw Refuse(scope, entry);
        }
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
        return blocked.ToDictionary(b => b.Key, b => Refuse(scope, b.Value));
    }

    private BlockedContentException Refuse(string scope, BlockListEntry entry)
    {
        TakedownLog.IngestRefused(logger, scope, entry.Digest, TakedownLog.Where(entry.Scope), entry.BlockedAt, entry.Reason);
        telemetry.Refusals.Add(1, new KeyValuePair<string, object?>("reason", "blocked"));
        return new BlockedContentException(entry.Digest, scope);
    }
}
