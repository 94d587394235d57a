using System.Data.Common;

namespace ImageDedup.Engine;

/// <summary>
/// The engine bound to one scope. The name was validated when the view was made, so every call
/// below passes it on unchecked; holders and prefixes are still checked per call.
/// </summary>
internal sealed class EngineScope(ImageDedupEngine engine, string name) : IImageDedupScope
{
    public string Name { get; } = name;

    public Task<IngestResult> IngestAsync(Stream content, IngestRequest? request = null, CancellationToken cancellationToken = default)
        => engine.IngestAsync(Name, content, request, cancellationToken);

    public IAsyncEnumerable<IngestItemResult> IngestManyAsync(IAsyncEnumerable<IngestItem> items, IngestManyOptions? options = null, CancellationToken cancellationToken = default)
        => engine.IngestManyAsync(Name, items, options, cancellationToken);

    public Task<ReferenceResult> AddReferenceAsync(Guid originalId, string holder, CancellationToken cancellationToken = default)
        => engine.AddReferenceAsync(Name, originalId, holder, null, cancellationToken);

    public Task<ReferenceResult> AddReferenceAsync(Guid originalId, string holder, DbTransaction transaction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        return engine.AddReferenceAsync(Name, originalId, holder, transaction, cancellationToken);
    }

    public Task<ReleaseResult> ReleaseAsync(string holder, CancellationToken cancellationToken = default)
        => engine.ReleaseAsync(Name, holder, null, cancellationToken);

    public Task<ReleaseResult> ReleaseAsync(string holder, DbTransaction transaction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        return engine.ReleaseAsync(Name, holder, transaction, cancellationToken);
    }

    public Task<PrefixReleaseResult> ReleasePrefixAsync(string holderPrefix, CancellationToken cancellationToken = default)
        => engine.ReleasePrefixAsync(Name, holderPrefix, cancellationToken);

    public Task<Original?> GetAsync(Guid originalId, CancellationToken cancellationToken = default)
        => engine.GetAsync(Name, originalId, cancellationToken);

    public Task<Original?> FindByDigestAsync(ContentDigest digest, CancellationToken cancellationToken = default)
        => engine.FindByDigestAsync(Name, digest, cancellationToken);

    public Task<Original?> FindByHolderAsync(string holder, CancellationToken cancellationToken = default)
        => engine.FindByHolderAsync(Name, holder, cancellationToken);

    public Task<Stream> OpenReadAsync(Guid originalId, ReadOptions? options = null, CancellationToken cancellationToken = default)
        => engine.OpenReadAsync(Name, originalId, options, cancellationToken);

    public Task<SignedReadUrl> GetReadUrlAsync(Guid originalId, TimeSpan? lifetime = null, CancellationToken cancellationToken = default)
        => engine.GetReadUrlAsync(Name, originalId, lifetime, cancellationToken);

    public Task<Page<Original>> ListOriginalsAsync(string? cursor = null, int pageSize = 100, CancellationToken cancellationToken = default)
        => engine.ListOriginalsAsync(Name, cursor, pageSize, cancellationToken);

    public Task<Page<HolderReference>> ListHoldersAsync(Guid originalId, string? cursor = null, int pageSize = 100, CancellationToken cancellationToken = default)
        => engine.ListHoldersAsync(Name, originalId, cursor, pageSize, cancellationToken);

    public Task<GarbageCollectionResult> CollectGarbageAsync(CancellationToken cancellationToken = default)
        => engine.CollectGarbageAsync(Name, cancellationToken);

    public Task<OriginalStatistics> GetStatisticsAsync(CancellationToken cancellationToken = default)
        => engine.GetStatisticsAsync(Name, cancellationToken);

    public Task<PurgeResult> PurgeAsync(Guid originalId, PurgeRequest request, CancellationToken cancellationToken = default)
        => engine.PurgeAsync(Name, originalId, request, cancellationToken);

    public Task<PurgeResult> PurgeAsync(ContentDigest digest, PurgeRequest request, CancellationToken cancellationToken = default)
        => engine.PurgeAsync(Name, digest, request, cancellationToken);

    public Task<BlockListEntry> BlockAsync(ContentDigest digest, BlockRequest request, CancellationToken cancellationToken = default)
        => engine.BlockAsync(Name, digest, request, cancellationToken);

    public Task<bool> UnblockAsync(ContentDigest digest, BlockRequest request, CancellationToken cancellationToken = default)
        => engine.UnblockAsync(Name, digest, request, cancellationToken);

    public Task<Page<BlockListEntry>> ListBlockedAsync(string? cursor = null, int pageSize = 100, CancellationToken cancellationToken = default)
        => engine.ListBlockedAsync(Name, cursor, pageSize, cancellationToken);

    public override string ToString() => Name.Length == 0 ? "(default scope)" : Name;
}
