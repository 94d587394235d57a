namespace ImageDedup;

/// <summary>Who purges, why, whether the bytes are also blocked, and where the released holders are reported.</summary>
public sealed record PurgeRequest
{
    /// <summary>
    /// Who asks: an operator, an account, a ticket system. Logged at Information with the purge and
    /// kept with the block entry. 1 to <see cref="ImageDedupLimits.MaxRequestedByLength"/> characters
    /// without control characters.
    /// </summary>
    public required string RequestedBy { get; init; }

    /// <summary>Why: a legal notice, an erasure request, an abuse report. 1 to <see cref="ImageDedupLimits.MaxReasonLength"/> characters.</summary>
    public required string Reason { get; init; }

    /// <summary>
    /// Also put the digest on the block list — the scope's, or every scope's for a purge everywhere —
    /// before anything is claimed, so the same bytes cannot be stored or referenced again until
    /// unblocked: an ingest of them that is in flight cannot go live after the purge either.
    /// Default false: the purge removes what is stored, and a later upload of the bytes stores them anew.
    /// </summary>
    public bool Block { get; init; }

    /// <summary>
    /// Told each batch of released holders as soon as it is committed (at most the engine's
    /// <c>PurgeBatchSize</c> a call), so a host can update its own rows while an original with 10⁵
    /// holders is purged, in bounded memory. When set, <see cref="PurgeResult.Holders"/> stays empty.
    /// When it throws, or the purge is cancelled, the purge stops there: the original stays claimed
    /// (unreadable, its bytes already deleted) with its remaining holders, and the same purge run again
    /// goes on from there and reports the rest (reconcile finishes it unreported after its grace period).
    /// </summary>
    public Func<IReadOnlyList<HolderReference>, CancellationToken, Task>? OnHoldersReleased { get; init; }
}
