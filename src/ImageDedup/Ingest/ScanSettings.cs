namespace ImageDedup.Ingest;

/// <summary>What one ingest pass checks and where it may spool.</summary>
internal sealed record ScanSettings(
    long MaxBytes,
    bool AllowAnyContent,
    bool AllowTruncatedImages,
    int ChunkSize,
    string SpoolDirectory,
    string? DeclaredContentType,
    long? ExpectedLength);
