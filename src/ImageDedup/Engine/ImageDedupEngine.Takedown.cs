namespace ImageDedup.Engine;

/// <summary>The takedown operations (purge, block list); the work is <see cref="Purger"/>'s and <see cref="BlockList"/>'s.</summary>
internal sealed partial class ImageDedupEngine
{
    public Task<PurgeResult> PurgeEverywhereAsync(Guid originalId, PurgeRequest request, CancellationToken cancellationToken = default)
        => Purging.PurgeEverywhereAsync(originalId, request, cancellationToken);

    public Task<PurgeResult> PurgeEverywhereAsync(ContentDigest digest, PurgeRequest request, CancellationToken cancellationToken = default)
        => Purging.PurgeAsync(null, digest, request, cancellationToken);

    public Task<BlockListEntry> BlockEverywhereAsync(ContentDigest digest, BlockRequest request, CancellationToken cancellationToken = default)
        => Blocking.BlockAsync(null, digest, request, cancellationToken);

    public Task<bool> UnblockEverywhereAsync(ContentDigest digest, BlockRequest request, CancellationToken cancellationToken = default)
        => Blocking.UnblockAsync(null, digest, request, cancellationToken);

    public Task<Page<BlockListEntry>> ListBlockedAsync(string? cursor = null, int pageSize = 100, CancellationToken cancellationToken = default)
        => Blocking.ListAsync(null, cursor, pageSize, cancellationToken);

    internal Task<PurgeResult> PurgeAsync(string scope, Guid originalId, PurgeRequest request, CancellationToken cancellationToken)
        => Purging.PurgeAsync(scope, originalId, request, cancellationToken);

    internal Task<PurgeResult> PurgeAsync(string scope, ContentDigest digest, PurgeRequest request, CancellationToken cancellationToken)
        => Purging.PurgeAsync(scope, digest, request, cancellationToken);

    internal Task<BlockListEntry> BlockAsync(string scope, ContentDigest digest, BlockRequest request, CancellationToken cancellationToken)
        => Blocking.BlockAsync(scope, digest, request, cancellationToken);

    internal Task<bool> UnblockAsync(string scope, ContentDigest digest, BlockRequest request, CancellationToken cancellationToken)
        => Blocking.UnblockAsync(scope, digest, request, cancellationToken);

    internal Task<Page<BlockListEntry>> ListBlockedAsync(string scope, string? cursor, int pageSize, CancellationToken cancellationToken)
        => Blocking.ListAsync(scope, cursor, pageSize, cancellationToken);

    private Purger Purging => _purger ?? throw NotTakingDown();

    private BlockList Blocking => _blockList ?? throw NotTakingDown();

    private NotSupportedException NotTakingDown()
        => new($"The reference store ({_references.GetType().Name}) cannot take content down: it does not implement ITakedownStore, so it keeps no block list and cannot purge.");
}
