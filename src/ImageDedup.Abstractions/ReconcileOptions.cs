namespace ImageDedup;

/// <summary>How <see cref="IImageDedup.ReconcileAsync"/> repairs what crashes left behind.</summary>
public sealed record ReconcileOptions
{
    /// <summary>Only report what would be repaired; change nothing. Reports at most <see cref="DryRunLimit"/> items of each kind.</summary>
    public bool DryRun { get; init; }

    /// <summary>
    /// How old (store clock) an unfinished deletion or a row-less blob must be before it is
    /// treated as garbage. Zero is valid. Pending rows (ingests that never went live) and abandoned
    /// blob writes must in addition be twice the engine's <c>IngestWriteTimeout</c> old, a bound
    /// every ingest enforces on itself, so no grace period, however short, removes those of an
    /// ingest still in flight. Default: the engine's <c>OrphanGracePeriod</c>.
    /// </summary>
    public TimeSpan? GracePeriod { get; init; }

    /// <summary>Rows or blobs handled per batch. Default 100.</summary>
    public int BatchSize { get; init; } = 100;

    /// <summary>Check that every live original's blob exists, marking those that do not. Default true.</summary>
    public bool CheckMissingBlobs { get; init; } = true;

    /// <summary>
    /// Extra age a row-less blob must have, beyond the grace period, because the blob store's
    /// clock may run ahead of the database's. Default one minute.
    /// </summary>
    public TimeSpan ClockSkewAllowance { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The most items of each kind a dry run reports. Default 10000.</summary>
    public int DryRunLimit { get; init; } = 10_000;
}
