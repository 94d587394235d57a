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

    /// <summary>Whether this release claimed the deletion of the original.</summary>
    public bool DeletionClaimed => Original?.State == OriginalState.Deleting;
}
