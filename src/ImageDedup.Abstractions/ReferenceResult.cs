namespace ImageDedup;

/// <summary>The outcome of pointing a holder at an original.</summary>
/// <param name="Original">The original, as it is after the change.</param>
/// <param name="Added">False when the holder already pointed there.</param>
/// <param name="PreviousOriginalId">The original the holder pointed at before, if it was another one.</param>
/// <param name="PreviousOriginalDeleted">True when that previous original lost its last reference and was deleted.</param>
public sealed record ReferenceResult(Original Original, bool Added, Guid? PreviousOriginalId, bool PreviousOriginalDeleted);
