using ImageDedup.AspNetCore.Uploads;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace ImageDedup.AspNetCore;

/// <summary>
/// Receives an image upload — the raw request body, or one part of a <c>multipart/form-data</c>
/// body — and ingests it as a stream, never holding it whole in memory.
/// </summary>
public static class ImageUploads
{
    /// <summary>
    /// Ingests the request's image into <paramref name="scope"/>. First raises the request's body
    /// limit to the engine's <see cref="IImageDedup.MaxImageBytes"/> plus
    /// <see cref="ImageUploadOptions.MaxEnvelopeBytes"/> (Kestrel's default of 30,000,000 bytes
    /// would otherwise refuse large images, in its own words), so every refusal is this package's:
    /// too large 413, not an image 415, empty, truncated or malformed 400, past the scope's quota
    /// 403, blocked content 451, each as ProblemDetails with an <see cref="ImageDedupProblemTypes"/>
    /// type. Works whether or not the body was buffered with <c>EnableBuffering()</c>. Call it before
    /// anything reads the body.
    /// </summary>
    /// <param name="context">The upload request. A body of type <c>multipart/*</c> is read part by part; any other is the image.</param>
    /// <param name="scope">The scope to store the image in.</param>
    /// <param name="holder">A holder to reference the original in the same call; null to store it unreferenced and add the reference in the host's own transaction.</param>
    /// <param name="options">Which part to take and how much envelope to allow; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the ingest, as a client disconnect (<see cref="HttpContext.RequestAborted"/>) does; nothing is left behind.</param>
    /// <returns>The stored result, or the refusal to return.</returns>
    /// <exception cref="ArgumentException">The holder is invalid.</exception>
    public static async Task<UploadOutcome> IngestAsync(HttpContext context, IImageDedupScope scope, string? holder = null, ImageUploadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(scope);
        options ??= new ImageUploadOptions();
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("ImageDedup.AspNetCore");
        var maxImageBytes = context.RequestServices.GetRequiredService<IImageDedup>().MaxImageBytes;
        RaiseBodyLimit(context, maxImageBytes, options.MaxEnvelopeBytes, logger);

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, cancellationToken);
        var token = linked.Token;
        try
        {
            var result = MultipartBoundary(context.Request) is { } boundary
                ? await IngestPartAsync(context, scope, holder, boundary, options, token).ConfigureAwait(false)
                : await scope.IngestAsync(context.Request.Body, new IngestRequest
                {
                    Holder = holder,
                    DeclaredContentType = DeclaredType(context.Request.ContentType),
                    ExpectedLength = context.Request.ContentLength,
                }, token).ConfigureAwait(false);
            Log.UploadStored(logger, result.Original.Id, result.Original.Length, result.StoredNewBytes);
            return UploadOutcome.Success(result);
        }
        catch (Exception ex) when (ClientGone.Explains(context, ex))
        {
            // The client is gone: there is no one to answer, and the cancelled ingest removed what it wrote.
            Log.UploadAborted(logger);
            return UploadOutcome.Aborted();
        }
        catch (Exception ex) when (UploadRefusal.For(ex, maxImageBytes) is { } refusal)
        {
            Log.UploadRefused(logger, refusal.Status, ex.Message);
            return UploadOutcome.Refused(refusal.ToResult());
        }
    }

    private static async Task<IngestResult> IngestPartAsync(HttpContext context, IImageDedupScope scope, string? holder, string boundary, ImageUploadOptions options, CancellationToken token)
    {
        var reader = new MultipartReader(boundary, context.Request.Body);
        while (await NextSectionAsync(reader, context.RequestAborted, token).ConfigureAwait(false) is { } section)
        {
            var disposition = section.GetContentDispositionHeader();
            var wanted = options.FormField is null
                ? disposition?.IsFileDisposition() == true
                : disposition is not null && string.Equals(HeaderUtilities.RemoveQuotes(disposition.Name).Value, options.FormField, StringComparison.Ordinal);
            if (wanted)
            {
                // Earlier parts were drained by the reader, not kept; this one streams straight into the ingest.
                return await scope.IngestAsync(new PartStream(section.Body, context.RequestAborted), new IngestRequest
                {
                    Holder = holder,
                    DeclaredContentType = DeclaredType(section.ContentType),
                }, token).ConfigureAwait(false);
            }
        }

        throw new InvalidDataException(options.FormField is null
            ? "The multipart body has no file part."
            : $"The multipart body has no part named '{options.FormField}'.");
    }

    private static async Task<MultipartSection?> NextSectionAsync(MultipartReader reader, CancellationToken requestAborted, CancellationToken token)
    {
        try
        {
            return await reader.ReadNextSectionAsync(token).ConfigureAwait(false);
        }
        catch (IOException ex) when (ex is not BadHttpRequestException && !ClientGone.Explains(ex, requestAborted))
        {
            // The reader's words for a body that ends before its closing boundary.
            throw new InvalidDataException("The multipart body ended before its closing boundary.", ex);
        }
    }

    private static void RaiseBodyLimit(HttpContext context, long maxImageBytes, long envelope, ILogger logger)
    {
        var limit = maxImageBytes > long.MaxValue - envelope ? long.MaxValue : maxImageBytes + envelope;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { } feature)
        {
            if (!feature.IsReadOnly)
            {
                feature.MaxRequestBodySize = limit;
            }
            else if (feature.MaxRequestBodySize is { } current && current < limit)
            {
                Log.BodyLimitReadOnly(logger, limit);
            }
        }
    }

    private static string? MultipartBoundary(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value;
        return string.IsNullOrEmpty(boundary)
            ? throw new InvalidDataException("The multipart content type has no boundary.")
            : boundary;
    }

    /// <summary>The media type without parameters, when the engine would accept it as a declared type; otherwise none.</summary>
    private static string? DeclaredType(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType) || mediaType.MediaType.Value is not { Length: > 0 and <= 255 } type)
        {
            return null;
        }

        return type.AsSpan().ContainsAnyExceptInRange((char)0x21, (char)0x7E) ? null : type;
    }
}
