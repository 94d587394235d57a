namespace ImageDedup;

/// <summary>One unique stored original: the bytes of one content within one scope.</summary>
public sealed record Original
{
    /// <summary>The identifier the host stores beside its own records.</summary>
    public required Guid Id { get; init; }

    /// <summary>The scope (tenant) the original belongs to; originals are shared only within a scope.</summary>
    public required string Scope { get; init; }

    /// <summary>The digest of the stored bytes.</summary>
    public required ContentDigest Digest { get; init; }

    /// <summary>The length of the stored bytes.</summary>
    public required long Length { get; init; }

    /// <summary>The content type detected from the bytes, for example <c>image/png</c>.</summary>
    public required string ContentType { get; init; }

    /// <summary>The key of the blob in the blob store. Never reused by another original.</summary>
    public required string StorageKey { get; init; }

    /// <summary>Where the original is in its life cycle.</summary>
    public required OriginalState State { get; init; }

    /// <summary>How many holders reference the original; always equal to its live references.</summary>
    public required long ReferenceCount { get; init; }

    /// <summary>When the original was first stored (database clock).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the row last changed (database clock).</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>When the original last lost (or was stored without) its last reference; null while referenced.</summary>
    public DateTimeOffset? OrphanedAt { get; init; }

    /// <summary>
    /// When reconcile or verify first found this live original's blob missing; null when it was
    /// last seen whole. Such originals are reported and kept, never silently dropped.
    /// </summary>
    public DateTimeOffset? BlobMissingSince { get; init; }
}
