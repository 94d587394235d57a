namespace ImageDedup;

/// <summary>What a purge did.</summary>
public sealed record PurgeResult
{
    /// <summary>The digest whose originals were purged.</summary>
    public required ContentDigest Digest { get; init; }

    /// <summary>The originals whose references, bytes and row are gone.</summary>
    public required IReadOnlyList<Guid> OriginalsPurged { get; init; }

    /// <summary>
    /// Originals claimed by the purge (unreadable, every holder released) whose bytes or row could
    /// not be deleted now — the blob store failed. Reconcile finishes them; the purge logged the error.
    /// </summary>
    public required IReadOnlyList<Guid> OriginalsUnfinished { get; init; }

    /// <summary>How many references the purge released.</summary>
    public required long HoldersReleased { get; init; }

    /// <summary>
    /// Every holder the purge released (scope, holder, original), for the host to update its own rows;
    /// empty when <see cref="PurgeRequest.OnHoldersReleased"/> received them instead.
    /// </summary>
    public required IReadOnlyList<HolderReference> Holders { get; init; }

    /// <summary>The block-list entry the purge added (<see cref="PurgeRequest.Block"/>), or null.</summary>
    public BlockListEntry? Block { get; init; }

    /// <summary>Whether everything the purge claimed is gone: no original is left unfinished.</summary>
    public bool Finished => OriginalsUnfinished.Count == 0;
}
