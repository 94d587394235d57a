namespace ImageDedup;

/// <summary>
/// The content is on the block list of the scope or of every scope (<see cref="BlockListEntry"/>):
/// an ingest of it was refused after hashing and before anything was stored (no row, no blob, no
/// holder attached or moved), or a reference to an original that holds it was refused.
/// </summary>
public sealed class BlockedContentException : ImageDedupException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="digest">The refused content.</param>
    /// <param name="scope">The scope the ingest or reference was refused in.</param>
    public BlockedContentException(ContentDigest digest, string scope)
        : base($"The content {digest} is blocked in scope '{scope}'; nothing was stored.")
    {
        Digest = digest;
        Scope = scope;
    }

    /// <summary>The refused content.</summary>
    public ContentDigest Digest { get; }

    /// <summary>The scope the ingest or reference was refused in.</summary>
    public string Scope { get; }
}
