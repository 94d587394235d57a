namespace ImageDedup;

/// <summary>Monitoring figures over the originals of one scope or of all scopes.</summary>
public sealed record OriginalStatistics
{
    /// <summary>Live originals (referenced or orphaned).</summary>
    public required long UniqueOriginals { get; init; }

    /// <summary>Bytes held by live originals.</summary>
    public required long StoredBytes { get; init; }

    /// <summary>Live originals without references, waiting for garbage collection.</summary>
    public required long OrphanCount { get; init; }

    /// <summary>Bytes held by orphans: what garbage collection will reclaim.</summary>
    public required long OrphanBytes { get; init; }

    /// <summary>Live references over all originals.</summary>
    public required long References { get; init; }

    /// <summary>Bytes that storage would hold without de-duplication: each reference counts its original's length.</summary>
    public required long LogicalBytes { get; init; }

    /// <summary>References per referenced original; 0 when nothing is referenced.</summary>
    public double AverageReferences => UniqueOriginals - OrphanCount == 0 ? 0 : (double)References / (UniqueOriginals - OrphanCount);

    /// <summary>Bytes de-duplication saves: logical bytes less the bytes of referenced originals.</summary>
    public long BytesSaved => LogicalBytes - (StoredBytes - OrphanBytes);
}
