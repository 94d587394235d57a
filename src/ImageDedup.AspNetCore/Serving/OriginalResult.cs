using System.Buffers;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace ImageDedup.AspNetCore.Serving;

/// <summary>
/// Streams one original of one scope, answering conditional and range requests from its metadata
/// alone and reading only the requested bytes from the blob store.
/// </summary>
internal sealed class OriginalResult(IImageDedupScope scope, Guid originalId, OriginalServingOptions options) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var aborted = httpContext.RequestAborted;
        var original = await scope.GetAsync(originalId, aborted).ConfigureAwait(false);
        if (original is null)
        {
            await Problems.OriginalNotFound().ExecuteAsync(httpContext).ConfigureAwait(false);
            return;
        }

        var request = httpContext.Request;
        var response = httpContext.Response;
        var etag = new EntityTagHeaderValue("\"" + original.Digest + "\"");

        // HTTP dates have whole seconds; comparing the stored time unrounded would never match a date the client echoes.
        var lastModified = TruncateToSeconds(original.CreatedAt);
        var headers = request.GetTypedHeaders();
        var validators = response.GetTypedHeaders();
        validators.ETag = etag;
        validators.LastModified = lastModified;

        switch (Preconditions.Evaluate(headers, etag, lastModified))
        {
            case PreconditionOutcome.Failed:
                await Problems.Create(StatusCodes.Status412PreconditionFailed, ImageDedupProblemTypes.PreconditionFailed, "The original does not match the request's preconditions.")
                    .ExecuteAsync(httpContext).ConfigureAwait(false);
                return;
            case PreconditionOutcome.NotModified:
                response.StatusCode = StatusCodes.Status304NotModified;
                response.Headers.CacheControl = options.CacheControl;
                return;
        }

        if (options.RedirectToSignedUrl && httpContext.RequestServices.GetRequiredService<IImageDedup>().CanSignReadUrls)
        {
            await RedirectAsync(httpContext).ConfigureAwait(false);
            return;
        }

        var range = Preconditions.RangeApplies(request, headers, etag, lastModified)
            ? RangeRequest.Resolve(request.Headers.Range, original.Length)
            : new RangeRequest(RangeKind.Whole);
        response.Headers.AcceptRanges = "bytes";
        if (range.Kind == RangeKind.NotSatisfiable)
        {
            response.Headers.ContentRange = new ContentRangeHeaderValue(original.Length).ToString();
            await Problems.Create(StatusCodes.Status416RangeNotSatisfiable, ImageDedupProblemTypes.RangeNotSatisfiable, "The range starts past the end of the original.")
                .ExecuteAsync(httpContext).ConfigureAwait(false);
            return;
        }

        var (offset, length) = range.Kind == RangeKind.Partial ? (range.Offset, range.Length) : (0L, original.Length);
        await SendAsync(httpContext, original, range.Kind == RangeKind.Partial, offset, length).ConfigureAwait(false);
    }

    private async Task SendAsync(HttpContext httpContext, Original original, bool partial, long offset, long length)
    {
        var response = httpContext.Response;
        var aborted = httpContext.RequestAborted;
        var isHead = HttpMethods.IsHead(httpContext.Request.Method);
        Stream? content = null;
        if (!isHead)
        {
            // Opened before the status is set, so a blob that is gone still gets a proper error response.
            try
            {
                content = await scope.OpenReadAsync(original.Id, new ReadOptions { Range = partial ? new ByteRange(offset, length) : null }, aborted).ConfigureAwait(false);
            }
            catch (OriginalNotFoundException)
            {
                // Released and deleted between the lookup and the read.
                ClearValidators(response);
                await Problems.OriginalNotFound().ExecuteAsync(httpContext).ConfigureAwait(false);
                return;
            }
            catch (ContentIntegrityException ex)
            {
                Log.OriginalUnreadable(Logger(httpContext), original.Id, scope.Name, ex);
                ClearValidators(response);
                await Problems.Create(StatusCodes.Status500InternalServerError, ImageDedupProblemTypes.OriginalUnreadable, "The original's bytes cannot be read.")
                    .ExecuteAsync(httpContext).ConfigureAwait(false);
                return;
            }
        }

        await using (content)
        {
            response.StatusCode = partial ? StatusCodes.Status206PartialContent : StatusCodes.Status200OK;
            response.ContentType = original.ContentType;
            response.ContentLength = length;
            response.Headers.CacheControl = options.CacheControl;
            response.Headers.XContentTypeOptions = "nosniff";
            if (partial)
            {
                response.Headers.ContentRange = new ContentRangeHeaderValue(offset, offset + length - 1, original.Length).ToString();
            }

            if (content is null)
            {
                return;
            }

            try
            {
                await CopyAsync(content, response.Body, length, aborted).ConfigureAwait(false);
            }
            catch (Exception ex) when (aborted.IsCancellationRequested && ex is OperationCanceledException or IOException)
            {
                Log.ReadAborted(Logger(httpContext), original.Id);
            }
        }
    }

    /// <summary>
    /// Copies at most the promised length: a store that returns more than the range asked for
    /// (s3rver, for one, takes <c>bytes=0-0</c> for the whole object) must not break a response
    /// whose <c>Content-Length</c> is already sent.
    /// </summary>
    private static async Task CopyAsync(Stream content, Stream body, long length, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(length, 81920));
        try
        {
            while (length > 0)
            {
                var read = await content.ReadAsync(buffer.AsMemory(0, (int)Math.Min(length, buffer.Length)), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    // Shorter than promised: the server aborts the response rather than send a short body.
                    return;
                }

                await body.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                length -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task RedirectAsync(HttpContext httpContext)
    {
        SignedReadUrl url;
        try
        {
            url = await scope.GetReadUrlAsync(originalId, options.SignedUrlLifetime, httpContext.RequestAborted).ConfigureAwait(false);
        }
        catch (OriginalNotFoundException)
        {
            ClearValidators(httpContext.Response);
            await Problems.OriginalNotFound().ExecuteAsync(httpContext).ConfigureAwait(false);
            return;
        }

        // The redirect is good only as long as the URL: no cache may keep it.
        httpContext.Response.Headers.CacheControl = "no-store";
        httpContext.Response.Headers.Expires = url.ExpiresAt.ToString("R", CultureInfo.InvariantCulture);
        httpContext.Response.Redirect(url.Url.AbsoluteUri);
    }

    private static void ClearValidators(HttpResponse response)
    {
        response.Headers.ETag = default;
        response.Headers.LastModified = default;
    }

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset time)
        => new(time.Ticks - (time.Ticks % TimeSpan.TicksPerSecond), time.Offset);

    private static ILogger Logger(HttpContext httpContext)
        => httpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("ImageDedup.AspNetCore");
}
