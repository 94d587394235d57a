namespace ImageDedup;

/// <summary>
/// The image's own structure says more bytes should follow than the upload held — a file cut off
/// mid-transfer. Nothing was stored. Set <c>ImageDedupOptions.AllowTruncatedImages</c> to store such files anyway.
/// </summary>
public sealed class ImageTruncatedException : ImageDedupException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="contentType">The detected image format.</param>
    /// <param name="length">How many bytes the upload held.</param>
    /// <param name="incompleteStructure">Which structure is incomplete, in words.</param>
    public ImageTruncatedException(string contentType, long length, string incompleteStructure)
        : base($"The {contentType} upload is truncated: {incompleteStructure}. Nothing was stored.")
    {
        ContentType = contentType;
        Length = length;
        IncompleteStructure = incompleteStructure;
    }

    /// <summary>The detected image format.</summary>
    public string ContentType { get; }

    /// <summary>How many bytes the upload held.</summary>
    public long Length { get; }

    /// <summary>Which structure is incomplete, in words (for example which chunk ends past the content).</summary>
    public string IncompleteStructure { get; }
}
