using ImageDedup.AspNetCore.Serving;
using Microsoft.AspNetCore.Http;

namespace ImageDedup.AspNetCore;

/// <summary>Results that serve originals from a host's own endpoints.</summary>
public static class ImageDedupResults
{
    /// <summary>
    /// Serves one original of <paramref name="scope"/>: strong <c>ETag</c> (its digest),
    /// <c>Last-Modified</c> (when it was stored), <c>Content-Type</c>, <c>Content-Length</c>,
    /// <see cref="OriginalServingOptions.CacheControl"/>; answers <c>HEAD</c>, <c>If-Match</c> (412),
    /// <c>If-None-Match</c> and <c>If-Modified-Since</c> (304), and one <c>Range</c> (206, or 416 past
    /// the end), honouring <c>If-Range</c>. Only the requested bytes are read from the blob store.
    /// An unknown original, or one of another scope, is the same 404 ProblemDetails.
    /// </summary>
    /// <param name="scope">The scope the original must belong to.</param>
    /// <param name="originalId">The original.</param>
    /// <param name="options">Caching and redirect settings; null for the defaults (its <see cref="OriginalServingOptions.Scope"/> is not used).</param>
    public static IResult Original(IImageDedupScope scope, Guid originalId, OriginalServingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return new OriginalResult(scope, originalId, options ?? new OriginalServingOptions());
    }
}
