namespace ImageDedup;

/// <summary>A byte range of an original or blob.</summary>
/// <param name="Offset">The first byte, from 0.</param>
/// <param name="Length">How many bytes; null for all bytes to the end.</param>
public readonly record struct ByteRange(long Offset, long? Length = null);
