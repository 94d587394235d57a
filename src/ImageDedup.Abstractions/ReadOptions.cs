namespace ImageDedup;

/// <summary>How to open an original for reading.</summary>
public sealed record ReadOptions
{
    /// <summary>Only these bytes; null for the whole original.</summary>
    public ByteRange? Range { get; init; }

    /// <summary>
    /// Hash the bytes while they stream and throw <see cref="ContentIntegrityException"/> at the end
    /// when they do not match the digest. Only for whole-original reads.
    /// </summary>
    public bool Verify { get; init; }
}
