using Microsoft.AspNetCore.Http;

namespace ImageDedup.AspNetCore;

/// <summary>How uploads are received.</summary>
public sealed class ImageUploadOptions
{
    /// <summary>The default <see cref="MaxEnvelopeBytes"/>: 1 MiB.</summary>
    public const long DefaultMaxEnvelopeBytes = 1 << 20;

    /// <summary>
    /// The scope an upload is stored in; null for <see cref="IImageDedup.DefaultScope"/>. Used by
    /// <see cref="Microsoft.AspNetCore.Builder.ImageDedupEndpointRouteBuilderExtensions.MapImageDedupUploads"/>;
    /// <see cref="ImageUploads.IngestAsync"/> is given its scope instead.
    /// </summary>
    public Func<HttpContext, IImageDedupScope>? Scope { get; set; }

    /// <summary>
    /// The holder an upload is referenced by in the same call; null (the default), or a delegate
    /// returning null, stores it without one, for a host that adds the reference in its own
    /// transaction. Used by <see cref="Microsoft.AspNetCore.Builder.ImageDedupEndpointRouteBuilderExtensions.MapImageDedupUploads"/>.
    /// </summary>
    public Func<HttpContext, string?>? Holder { get; set; }

    /// <summary>
    /// In a multipart body, the name of the form field whose part is the image; null (the default)
    /// for the first part with a file name. Parts before it are read past and discarded; parts after it are not read.
    /// </summary>
    public string? FormField { get; set; }

    /// <summary>
    /// How many bytes a request may carry besides the image itself (multipart boundaries, part
    /// headers, other fields). The request's body limit is set to the engine's
    /// <see cref="IImageDedup.MaxImageBytes"/> plus this, so an oversized image is refused by the
    /// ingest as 413 ProblemDetails before the server's own limit is reached. Default 1 MiB.
    /// </summary>
    public long MaxEnvelopeBytes { get; set; } = DefaultMaxEnvelopeBytes;
}
