namespace ImageDedup;

/// <summary>The outcome of releasing holders by prefix.</summary>
/// <param name="ReferencesReleased">How many references were removed.</param>
/// <param name="OriginalsDeleted">How many originals lost their last reference and were deleted now.</param>
/// <param name="OriginalsOrphaned">How many originals lost their last reference and wait for garbage collection.</param>
public sealed record PrefixReleaseResult(long ReferencesReleased, long OriginalsDeleted, long OriginalsOrphaned);
