namespace ImageDedup;

/// <summary>Optional details of an ingest.</summary>
public sealed record IngestRequest
{
    /// <summary>
    /// A holder to point at the original in the same call. Without one, the original is stored
    /// orphaned and garbage collection removes it after the grace period unless a reference is added.
    /// </summary>
    public string? Holder { get; init; }

    /// <summary>
    /// The content type the uploader claimed; used only when format checks are off. The detected
    /// type wins. At most 255 printable ASCII characters, or ingest throws <see cref="ArgumentException"/>.
    /// </summary>
    public string? DeclaredContentType { get; init; }

    /// <summary>
    /// The length the uploader announced (an HTTP <c>Content-Length</c>, say); a stream that ends
    /// sooner or runs longer is rejected with <see cref="ContentIntegrityException"/>, and a length
    /// over the engine's limit with <see cref="ContentTooLargeException"/> before a byte is read.
    /// Negative values throw <see cref="ArgumentOutOfRangeException"/>. The stream's own
    /// <see cref="System.IO.Stream.Length"/> is never used: the content always runs to the read that returns 0.
    /// </summary>
    public long? ExpectedLength { get; init; }
}
