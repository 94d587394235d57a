namespace ImageDedup;

/// <summary>What a reference store did when it released one holder.</summary>
/// <param name="Original">
/// The original the holder pointed at, as it is after the release; null when the holder had no
/// reference (releasing twice is harmless). When its state is <see cref="OriginalState.Deleting"/>
/// the caller has claimed its deletion and must finish it.
/// </param>
public sealed record ReleaseOutcome(Original? Original)
{
    /// <summary>Whether a reference was removed.</summary>
    public bool Released => Original is not null;

    /// <summary>
    /// Whether the caller must finish the deletion of the original: it is claimed and has no reference
    /// left. (A purge claims an original with its references in place; the release of one of them
    /// leaves a claim that is not yet the caller's to finish.)
    /// </summary>
    public bool DeletionClaimed => Original is { State: OriginalState.Deleting, ReferenceCount: 0 };
}
