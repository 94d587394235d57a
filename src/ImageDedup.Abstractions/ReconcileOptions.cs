namespace ImageDedup;

/// <summary>How <see cref="IImageDedup.ReconcileAsync"/> repairs what crashes left behind.</summary>
/// <remarks>
/// Reconcile costs what crashes left, not what is stored: it reads the stale pending and deleting
/// rows by index and the blob store's own unfinished writes. The sweeps over every blob and every
/// original are <see cref="IImageDedup.AuditAsync"/>'s.
/// </remarks>
public sealed record ReconcileOptions
{
    /// <summary>Only report what would be repaired; change nothing. Reports at most <see cref="DryRunLimit"/> items of each kind.</summary>
    public bool DryRun { get; init; }

    /// <summary>
    /// How old (store clock) an unfinished deletion must be before it is
    /// treated as garbage. Zero is valid. Pending rows (ingests that never went live) and abandoned
    /// blob writes must in addition be twice the engine's <c>IngestWriteTimeout</c> old, a bound
    /// every ingest enforces on itself, so no grace period, however short, removes those of an
    /// ingest still in flight. Default: the engine's <c>OrphanGracePeriod</c>.
    /// </summary>
    public TimeSpan? GracePeriod { get; init; }

    /// <summary>Rows or blobs handled per batch. Default 100.</summary>
    public int BatchSize { get; init; } = 100;

    /// <summary>The most items of each kind a dry run reports. Default 10000.</summary>
    public int DryRunLimit { get; init; } = 10_000;
}
