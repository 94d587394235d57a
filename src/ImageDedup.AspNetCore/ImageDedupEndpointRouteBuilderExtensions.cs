using System.Diagnostics.CodeAnalysis;
using ImageDedup.AspNetCore.Uploads;
using ImageDedup;
using ImageDedup.AspNetCore;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

// In the framework's namespace, as MapHealthChecks is, so a host needs no using to find it.
namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps ImageDedup's endpoints.</summary>
public static class ImageDedupEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>GET</c> and <c>HEAD</c> on <paramref name="pattern"/>, whose <c>{id}</c> parameter is
    /// an original's identifier, to <see cref="ImageDedupResults.Original"/> in the scope
    /// <see cref="OriginalServingOptions.Scope"/> picks. An identifier that is not a GUID is a 404.
    /// </summary>
    /// <param name="endpoints">The application's endpoints.</param>
    /// <param name="pattern">The route, with an <c>{id}</c> parameter, for example <c>/images/{id}</c>.</param>
    /// <param name="configure">Sets the scope, caching and redirect options; null for the defaults.</param>
    /// <exception cref="ArgumentException"><paramref name="pattern"/> has no <c>{id}</c> parameter.</exception>
    public static IEndpointConventionBuilder MapImageDedupOriginals(this IEndpointRouteBuilder endpoints, [StringSyntax("Route")] string pattern, Action<OriginalServingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pattern);
        if (RoutePatternFactory.Parse(pattern).GetParameter("id") is null)
        {
            throw new ArgumentException($"The route '{pattern}' has no {{id}} parameter.", nameof(pattern));
        }

        var options = new OriginalServingOptions();
        configure?.Invoke(options);
        return endpoints.MapMethods(pattern, [HttpMethods.Get, HttpMethods.Head], context =>
        {
            var result = Guid.TryParse(context.GetRouteValue("id") as string, out var id)
                ? ImageDedupResults.Original(ScopeOf(context, options.Scope), id, options)
                : Problems.OriginalNotFound();
            return result.ExecuteAsync(context);
        });
    }

    /// <summary>
    /// Maps <c>POST</c> on <paramref name="pattern"/> to <see cref="ImageUploads.IngestAsync"/> in the
    /// scope <see cref="ImageUploadOptions.Scope"/> picks, with the holder
    /// <see cref="ImageUploadOptions.Holder"/> gives. A stored upload is answered 200 with a JSON body
    /// <c>{ id, digest, length, contentType, storedNewBytes, referenceAdded }</c>; a refused one with
    /// its ProblemDetails.
    /// </summary>
    /// <param name="endpoints">The application's endpoints.</param>
    /// <param name="pattern">The route, for example <c>/images</c>.</param>
    /// <param name="configure">Sets the scope, holder, form field and envelope; null for the defaults.</param>
    public static IEndpointConventionBuilder MapImageDedupUploads(this IEndpointRouteBuilder endpoints, [StringSyntax("Route")] string pattern, Action<ImageUploadOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pattern);
        var options = new ImageUploadOptions();
        configure?.Invoke(options);
        return endpoints.MapPost(pattern, async context =>
        {
            var outcome = await ImageUploads.IngestAsync(context, ScopeOf(context, options.Scope), options.Holder?.Invoke(context), options, context.RequestAborted).ConfigureAwait(false);
            var response = outcome.Stored
                ? Results.Json(UploadResponse.From(outcome.Result), UploadJsonContext.Default.UploadResponse)
                : outcome.Refusal;
            await response.ExecuteAsync(context).ConfigureAwait(false);
        });
    }

    private static IImageDedupScope ScopeOf(HttpContext context, Func<HttpContext, IImageDedupScope>? scope)
        => scope?.Invoke(context) ?? context.RequestServices.GetRequiredService<IImageDedup>().DefaultScope;
}
