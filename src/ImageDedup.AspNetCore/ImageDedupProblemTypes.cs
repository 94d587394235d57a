namespace ImageDedup.AspNetCore;

/// <summary>
/// The <c>type</c> of every ProblemDetails this package writes. They are stable identifiers (URNs,
/// never fetched), so clients can branch on them instead of on status codes or wording.
/// </summary>
public static class ImageDedupProblemTypes
{
    /// <summary>No original with that identifier in the request's scope (404).</summary>
    public const string OriginalNotFound = "urn:imagededup:problem:original-not-found";

    /// <summary>An <c>If-Match</c> or <c>If-Unmodified-Since</c> condition failed (412).</summary>
    public const string PreconditionFailed = "urn:imagededup:problem:precondition-failed";

    /// <summary>The <c>Range</c> starts past the end of the original (416).</summary>
    public const string RangeNotSatisfiable = "urn:imagededup:problem:range-not-satisfiable";

    /// <summary>The original is live but its bytes cannot be read (500); reconcile reports it.</summary>
    public const string OriginalUnreadable = "urn:imagededup:problem:original-unreadable";

    /// <summary>The upload is larger than the engine's <c>MaxImageBytes</c> (413).</summary>
    public const string ContentTooLarge = "urn:imagededup:problem:content-too-large";

    /// <summary>The upload is not a supported image (415).</summary>
    public const string NotAnImage = "urn:imagededup:problem:not-an-image";

    /// <summary>The upload held no bytes (400).</summary>
    public const string EmptyContent = "urn:imagededup:problem:empty-content";

    /// <summary>The image's own structure says it was cut short (400).</summary>
    public const string TruncatedImage = "urn:imagededup:problem:truncated-image";

    /// <summary>The body ended before its declared length, or ran past it (400).</summary>
    public const string IncompleteUpload = "urn:imagededup:problem:incomplete-upload";

    /// <summary>A multipart body is malformed, or has no part to ingest (400).</summary>
    public const string MalformedMultipart = "urn:imagededup:problem:malformed-multipart";

    /// <summary>
    /// Storing the upload would take the scope past its quota (403). Extensions: <c>measure</c>
    /// (<c>storedBytes</c> or <c>originals</c>), <c>limit</c>, <c>usage</c> and <c>requested</c>, in that measure.
    /// </summary>
    public const string QuotaExceeded = "urn:imagededup:problem:quota-exceeded";

    /// <summary>The upload's bytes are on the block list (451). Extension: <c>digest</c>, of the refused bytes.</summary>
    public const string BlockedContent = "urn:imagededup:problem:blocked-content";
}
