namespace ImageDedup;

/// <summary>The outcome of an ingest.</summary>
/// <param name="Original">The original that holds the bytes.</param>
/// <param name="StoredNewBytes">
/// True when this call wrote the bytes: a new original, or an existing one whose blob had been
/// found missing and is now restored. False when an existing original already held them.
/// </param>
/// <param name="ReferenceAdded">True when the request's holder now points at the original and did not before.</param>
public sealed record IngestResult(Original Original, bool StoredNewBytes, bool ReferenceAdded);
