namespace ImageDedup;

/// <summary>How <see cref="IImageDedup.VerifyAsync"/> scrubs stored bytes.</summary>
public sealed record VerifyOptions
{
    /// <summary>Only this scope, or every scope when null.</summary>
    public string? Scope { get; init; }

    /// <summary>Resume after this cursor, from a previous result's <see cref="VerifyResult.NextCursor"/>.</summary>
    public string? Cursor { get; init; }

    /// <summary>Stop after this many originals (the result then carries a cursor); null for all.</summary>
    public int? MaxOriginals { get; init; }

    /// <summary>How many blobs are re-hashed at once. Default 2.</summary>
    public int Concurrency { get; init; } = 2;
}
