namespace ImageDedup;

/// <summary>The outcome of a garbage collection run.</summary>
/// <param name="OriginalsDeleted">Orphans whose row and bytes were deleted.</param>
/// <param name="BytesFreed">The bytes those orphans held.</param>
public sealed record GarbageCollectionResult(long OriginalsDeleted, long BytesFreed);
