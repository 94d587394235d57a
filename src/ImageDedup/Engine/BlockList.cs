using ImageDedup.Storage;
using Microsoft.Extensions.Logging;

namespace ImageDedup.Engine;

/// <summary>
/// Changes and lists the block list the store keeps (<see cref="ITakedownStore"/>). Every change is
/// logged at Information with who and why and counted (<c>imagededup.blocklist.changes</c>); the
/// block entry keeps who and why too, so the list itself says where each refusal comes from.
/// </summary>
internal sealed class BlockList(ITakedownStore store, ImageDedupTelemetry telemetry, ILogger logger)
{
    /// <summary>Blocks <paramref name="digest"/> in <paramref name="scope"/>, or in every scope when it is null.</summary>
    public async Task<BlockListEntry> BlockAsync(string? scope, ContentDigest digest, BlockRequest request, CancellationToken cancellationToken)
    {
        TakedownRequestRules.ValidateDigest(digest);
        TakedownRequestRules.Validate(request);
        using var operation = telemetry.Start("block");
        var entry = await store.BlockAsync(scope, digest, request.RequestedBy, request.Reason, cancellationToken).ConfigureAwait(false);
        TakedownLog.Blocked(logger, digest, TakedownLog.Where(scope), request.RequestedBy, request.Reason);
        telemetry.BlockListChanges.Add(1, new KeyValuePair<string, object?>("action", "block"));
        operation.Complete();
        return entry;
    }

    /// <summary>Removes the entry of <paramref name="scope"/>, or the global one when it is null.</summary>
    public async Task<bool> UnblockAsync(string? scope, ContentDigest digest, BlockRequest request, CancellationToken cancellationToken)
    {
        TakedownRequestRules.ValidateDigest(digest);
        TakedownRequestRules.Validate(request);
        using var operation = telemetry.Start("unblock");
        var removed = await store.UnblockAsync(scope, digest, cancellationToken).ConfigureAwait(false);
        TakedownLog.Unblocked(logger, digest, TakedownLog.Where(scope), removed, request.RequestedBy, request.Reason);
        if (removed)
        {
            telemetry.BlockListChanges.Add(1, new KeyValuePair<string, object?>("action", "unblock"));
        }

        operation.Complete();
        return removed;
    }

    /// <summary>The entries of <paramref name="scope"/>, or every entry when it is null.</summary>
    public async Task<Page<BlockListEntry>> ListAsync(string? scope, string? cursor, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, ImageDedupLimits.MaxPageSize);
        using var operation = telemetry.Start("list_blocked");
        var page = await store.ListBlocksAsync(scope, cursor, pageSize, cancellationToken).ConfigureAwait(false);
        operation.Complete();
        return page;
    }
}
