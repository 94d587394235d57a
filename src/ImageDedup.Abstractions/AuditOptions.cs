namespace ImageDedup;

/// <summary>
/// How <see cref="IImageDedup.AuditAsync"/> sweeps the whole store for what the delete protocol
/// cannot produce by itself: blobs no row names, and live originals whose blob has gone missing.
/// </summary>
/// <remarks>
/// An audit costs what is stored, not what changed: one blob-store listing of every blob and, with
/// <see cref="CheckMissingBlobs"/>, one existence check (an S3 HEAD) per original. Run it rarely,
/// rate-limited, and resume it from <see cref="AuditResult.NextCursor"/>; the regular
/// <see cref="IImageDedup.ReconcileAsync"/> needs none of it.
/// </remarks>
public sealed record AuditOptions
{
    /// <summary>Only report; delete and mark nothing. Default false.</summary>
    public bool DryRun { get; init; }

    /// <summary>
    /// How old (store clock) a row-less blob must be before it is deleted. Default: the engine's
    /// <c>OrphanGracePeriod</c>.
    /// </summary>
    public TimeSpan? GracePeriod { get; init; }

    /// <summary>
    /// Extra age a row-less blob must have, beyond the grace period, because the blob store's
    /// clock may run ahead of the database's. Default one minute.
    /// </summary>
    public TimeSpan ClockSkewAllowance { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Blobs looked up in the catalogue, and originals read, per batch (1 to 1000). Default 100.</summary>
    public int BatchSize { get; init; } = 100;

    /// <summary>Delete blobs (in the engine's key format) that no row names. Default true.</summary>
    public bool DeleteRowlessBlobs { get; init; } = true;

    /// <summary>Check that every live original's blob exists, marking (never dropping) those that do not and clearing the mark of those that are back. Default true.</summary>
    public bool CheckMissingBlobs { get; init; } = true;

    /// <summary>Where to resume: the <see cref="AuditResult.NextCursor"/> (or <see cref="AuditProgress.Cursor"/>) of an earlier run; null starts from the beginning.</summary>
    public string? Cursor { get; init; }

    /// <summary>
    /// The most blob-store requests a second, or null for no limit (the default). Each existence
    /// check and each delete counts as one request; a listing counts one per 1,000 keys listed (an
    /// S3 LIST page).
    /// </summary>
    public double? MaxRequestsPerSecond { get; init; }

    /// <summary>
    /// Stop at the next resumable point once this long has passed and return the cursor to go on
    /// from; null (the default) runs to the end.
    /// </summary>
    public TimeSpan? MaxDuration { get; init; }

    /// <summary>Told after every resumable step (a shard of the blob listing, a page of originals), with the cursor to resume from.</summary>
    public IProgress<AuditProgress>? Progress { get; init; }
}
