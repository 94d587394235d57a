namespace ImageDedup;

/// <summary>The outcome of releasing a holder.</summary>
/// <param name="Released">False when the holder had no reference: nothing changed.</param>
/// <param name="OriginalId">The original the holder pointed at, if any.</param>
/// <param name="RemainingReferences">The references the original still has.</param>
/// <param name="OriginalDeleted">True when this release deleted the original's row and bytes.</param>
public sealed record ReleaseResult(bool Released, Guid? OriginalId, long RemainingReferences, bool OriginalDeleted)
{
    /// <summary>True when the original has no reference left but waits for garbage collection.</summary>
    public bool OriginalOrphaned => Released && RemainingReferences == 0 && !OriginalDeleted;
}
