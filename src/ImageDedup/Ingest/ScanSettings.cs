namespace ImageDedup.Ingest;

/// <summary>What one ingest pass checks and where it may spool.</summary>
internal sealed record ScanSettings(
    long MaxBytes,
    bool AllowAnyContent,
    bool AllowTruncatedImages,
    int ChunkSize,
    string SpoolDirectory,
    string? DeclaredContentType,
    long? ExpectedLength)
{
    /// <summary>The settings of one ingest: the engine's limits and the request's declarations.</summary>
    public static ScanSettings For(ImageDedupOptions options, IngestRequest request) => new(
        options.MaxImageBytes,
        options.AllowAnyContent,
        options.AllowTruncatedImages,
        options.BufferSize,
        options.SpoolDirectory ?? Path.GetTempPath(),
        request.DeclaredContentType,
        request.ExpectedLength);
}
