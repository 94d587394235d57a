using ImageDedup.SampleApi.Data;
using Microsoft.EntityFrameworkCore;

namespace ImageDedup.SampleApi.Hosting;

/// <summary>
/// <c>GET /stats</c>: the app's rows beside the catalogue's counters (kept in the same
/// transactions as every change, so reading them costs a few rows, not a scan). The seed's
/// monitoring figures: originals, stored bytes, orphans awaiting clean-up, references per original.
/// </summary>
internal static class StatsEndpoints
{
    public static void MapStats(this IEndpointRouteBuilder app)
        => app.MapGet("/stats", async (AppDb db, IImageDedup dedup, CancellationToken ct) => Results.Ok(new
        {
            App = new
            {
                Projects = await db.Projects.CountAsync(p => p.DeletedAt == null, ct),
                LiveImages = await db.Images.CountAsync(i => i.DeletedAt == null, ct),
                DeletedImages = await db.Images.CountAsync(i => i.DeletedAt != null, ct),
                LegacyImages = await db.Images.CountAsync(i => i.DeletedAt == null && i.OriginalId == null && i.OriginalUrl != null, ct),
            },
            Catalogue = await dedup.GetStatisticsAsync(ct),
        }));
}
