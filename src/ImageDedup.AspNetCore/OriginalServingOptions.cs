using Microsoft.AspNetCore.Http;

namespace ImageDedup.AspNetCore;

/// <summary>How originals are served.</summary>
public sealed class OriginalServingOptions
{
    /// <summary>The default <see cref="CacheControl"/>: an original's bytes never change under its identifier.</summary>
    public const string ImmutableCacheControl = "public, max-age=31536000, immutable";

    /// <summary>
    /// The scope a request reads from; null for <see cref="IImageDedup.DefaultScope"/>. Used by
    /// <see cref="Microsoft.AspNetCore.Builder.ImageDedupEndpointRouteBuilderExtensions.MapImageDedupOriginals"/>; a result made with
    /// <see cref="ImageDedupResults.Original"/> is given its scope instead. An original of another
    /// scope is answered exactly like one that does not exist (404).
    /// </summary>
    public Func<HttpContext, IImageDedupScope>? Scope { get; set; }

    /// <summary>The <c>Cache-Control</c> of 200, 206 and 304 responses. Default <see cref="ImmutableCacheControl"/>.</summary>
    public string CacheControl { get; set; } = ImmutableCacheControl;

    /// <summary>
    /// Answer a read with a 302 redirect to a short-lived signed URL of the blob store instead of
    /// streaming the bytes, when the blob store can sign (<see cref="IImageDedup.CanSignReadUrls"/>);
    /// otherwise the bytes are streamed as usual. Conditional requests (304, 412) are still answered
    /// here. Default false.
    /// </summary>
    public bool RedirectToSignedUrl { get; set; }

    /// <summary>The lifetime of the signed URLs of <see cref="RedirectToSignedUrl"/>; null for the blob store's default.</summary>
    public TimeSpan? SignedUrlLifetime { get; set; }
}
