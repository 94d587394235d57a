namespace ImageDedup;

/// <summary>Optional details of an ingest.</summary>
public sealed record IngestRequest
{
    /// <summary>
    /// A holder to point at the original in the same call. Without one, the original is stored
    /// orphaned and garbage collection removes it after the grace period unless a reference is added.
    /// </summary>
    public string? Holder { get; init; }

    /// <summary>The content type the uploader claimed; used only when format checks are off. The detected type wins.</summary>
    public string? DeclaredContentType { get; init; }

    /// <summary>The length the uploader announced; a stream that ends sooner or runs longer is rejected.</summary>
    public long? ExpectedLength { get; init; }
}
