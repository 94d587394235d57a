namespace ImageDedup;

/// <summary>
/// Who changes the block list and why: both are logged at Information (the audit trail) and, when a
/// digest is blocked, kept with its entry (<see cref="BlockListEntry"/>).
/// </summary>
public sealed record BlockRequest
{
    /// <summary>
    /// Who asks: an operator, an account, a ticket system. 1 to <see cref="ImageDedupLimits.MaxRequestedByLength"/>
    /// characters without control characters.
    /// </summary>
    public required string RequestedBy { get; init; }

    /// <summary>
    /// Why: a legal notice, an erasure request, an abuse report, an appeal granted. 1 to
    /// <see cref="ImageDedupLimits.MaxReasonLength"/> characters.
    /// </summary>
    public required string Reason { get; init; }
}
