namespace ImageDedup;

/// <summary>Monitoring figures over the originals of one scope or of all scopes.</summary>
/// <remarks>
/// The reference stores keep these figures as counters updated in the same transaction as every
/// change to an original (docs/statistics-and-quotas.md in the repository), so reading them costs
/// a few rows per scope, not a scan, and they are live: every committed change is in them, nothing
/// uncommitted is. The figures of every scope sum over all scopes' counters. Right after an upgrade
/// from a schema without counters, the originals that existed before are counted in the
/// background; until that is done <see cref="IsComplete"/> is false and the figures leave them out.
/// </remarks>
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

    /// <summary>
    /// Originals whose ingest is storing their bytes (and those of crashed ingests until reconcile
    /// removes them). Not part of <see cref="UniqueOriginals"/>; quotas count them.
    /// </summary>
    public long PendingOriginals { get; init; }

    /// <summary>Bytes of <see cref="PendingOriginals"/>.</summary>
    public long PendingBytes { get; init; }

    /// <summary>
    /// False while the originals that existed before an upgrade to counted statistics are still
    /// being counted (the figures then leave some of them out); true otherwise.
    /// </summary>
    public bool IsComplete { get; init; } = true;

    /// <summary>References per referenced original; 0 when nothing is referenced.</summary>
    public double AverageReferences => UniqueOriginals - OrphanCount == 0 ? 0 : (double)References / (UniqueOriginals - OrphanCount);

    /// <summary>Bytes de-duplication saves: logical bytes less the bytes of referenced originals.</summary>
    public long BytesSaved => LogicalBytes - (StoredBytes - OrphanBytes);
}
