namespace ImageDedup;

/// <summary>The life cycle of an original: <c>Pending → Live → Deleting</c>.</summary>
public enum OriginalState
{
    /// <summary>The row exists but its blob is still being written; no reference can point at it.</summary>
    Pending = 0,

    /// <summary>The blob is complete; references can be added.</summary>
    Live = 1,

    /// <summary>Deletion was claimed; the claimer deletes the blob, then the row. No reference can be added.</summary>
    Deleting = 2,
}
