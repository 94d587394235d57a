using ImageDedup.AspNetCore;
using ImageDedup.SampleApi.Backfill;
using ImageDedup.SampleApi.Data;
using ImageDedup.SampleApi.Hosting;
using Microsoft.EntityFrameworkCore;

namespace ImageDedup.SampleApi.Images;

/// <summary>One image: its row, its bytes (served by the ImageDedup package), its deletion.</summary>
internal static class ImageEndpoints
{
    public static void MapImages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/images/{imageId:long}", async (long imageId, AppDb db, CancellationToken ct) =>
            await db.Images.AsNoTracking().FirstOrDefaultAsync(i => i.Id == imageId, ct) is { } image
                ? Results.Ok(ImageResponse.From(image))
                : SampleProblems.ImageNotFound(imageId));

        // The original's bytes with its ETag, ranges and preconditions; rows the backfill has not
        // moved yet are still served from their old object.
        app.MapGet("/images/{imageId:long}/content", async (long imageId, HttpContext http, AppDb db, IImageDedup dedup, LegacyObjects legacy, CancellationToken ct) =>
        {
            var image = await db.Images.AsNoTracking().FirstOrDefaultAsync(i => i.Id == imageId && i.DeletedAt == null, ct);
            if (image?.OriginalId is { } originalId)
            {
                return ImageDedupResults.Original(dedup.DefaultScope, originalId);
            }

            if (image?.OriginalUrl is { } url && await legacy.OpenAsync(url, ct) is { } old)
            {
                http.Response.RegisterForDisposeAsync(old);
                return Results.Stream(old.Content, old.ContentType);
            }

            return SampleProblems.ImageNotFound(imageId);
        });

        app.MapDelete("/images/{imageId:long}", async (long imageId, ImageDeletion deletion, CancellationToken ct) =>
            await deletion.DeleteAsync(imageId, ct) is { } deleted
                ? Results.Ok(deleted)
                : SampleProblems.ImageNotFound(imageId));
    }
}
