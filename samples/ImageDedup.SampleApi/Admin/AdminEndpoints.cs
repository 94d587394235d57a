using ImageDedup.SampleApi.Hosting;

namespace ImageDedup.SampleApi.Admin;

/// <summary>
/// Takedown for the app's operators (docs/takedown.md): purge an original or a picture, optionally
/// blocking it; list, add and remove blocks. Every request needs the admin token
/// (<see cref="AdminTokenHandler"/>) and names who asks in <see cref="RequestedByHeader"/>, which
/// the library writes to its audit trail and to the block entry.
/// </summary>
internal static class AdminEndpoints
{
    public const string RequestedByHeader = "X-Requested-By";

    public static void MapAdmin(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/admin").RequireAuthorization(AdminTokenHandler.Policy);

        admin.MapPost("/purges", async (PurgeBody body, HttpContext http, ImagePurge purge, CancellationToken ct) =>
        {
            if (RequestedBy(http) is not { } who)
            {
                return SampleProblems.InvalidRequest($"Name who asks in the {RequestedByHeader} header.");
            }

            var request = new PurgeRequest { RequestedBy = who, Reason = body.Reason ?? string.Empty, Block = body.Block };
            switch (body)
            {
                case { Original: { } originalId, Digest: null }:
                    return await InvalidAs400Async(async () => await purge.PurgeAsync(originalId, request, ct) is { } purged
                        ? Results.Ok(purged)
                        : SampleProblems.OriginalNotFound(originalId));
                case { Original: null, Digest: { } text } when ContentDigest.TryParse(text, out var digest):
                    return await InvalidAs400Async(async () => Results.Ok(await purge.PurgeAsync(digest, request, ct)));
                default:
                    return SampleProblems.InvalidRequest("Name exactly one of \"original\" (an original's id) and \"digest\" (sha256: followed by 64 hex digits).");
            }
        });

        admin.MapGet("/blocks", async (string? cursor, int? limit, IImageDedup dedup, CancellationToken ct) =>
            await InvalidAs400Async(async () =>
            {
                var page = await dedup.DefaultScope.ListBlockedAsync(cursor, Math.Clamp(limit ?? 100, 1, ImageDedupLimits.MaxPageSize), ct);
                return Results.Ok(new BlockPage(page.Items.Select(BlockResponse.From).ToList(), page.NextCursor));
            }));

        admin.MapPost("/blocks", async (BlockBody body, HttpContext http, IImageDedup dedup, CancellationToken ct) =>
        {
            if (RequestedBy(http) is not { } who)
            {
                return SampleProblems.InvalidRequest($"Name who asks in the {RequestedByHeader} header.");
            }

            return ContentDigest.TryParse(body.Digest, out var digest)
                ? await InvalidAs400Async(async () => Results.Ok(BlockResponse.From(await dedup.DefaultScope.BlockAsync(digest, new BlockRequest { RequestedBy = who, Reason = body.Reason ?? string.Empty }, ct))))
                : SampleProblems.InvalidRequest("\"digest\" must be sha256: followed by 64 hex digits.");
        });

        // The reason is a query parameter: a DELETE has no body that every client sends.
        admin.MapDelete("/blocks/{digest}", async (string digest, string? reason, HttpContext http, IImageDedup dedup, CancellationToken ct) =>
        {
            if (RequestedBy(http) is not { } who)
            {
                return SampleProblems.InvalidRequest($"Name who asks in the {RequestedByHeader} header.");
            }

            if (!ContentDigest.TryParse(digest, out var parsed))
            {
                return SampleProblems.InvalidRequest("The digest must be sha256: followed by 64 hex digits.");
            }

            return await InvalidAs400Async(async () => await dedup.DefaultScope.UnblockAsync(parsed, new BlockRequest { RequestedBy = who, Reason = reason ?? string.Empty }, ct)
                ? Results.NoContent()
                : SampleProblems.BlockNotFound(parsed));
        });
    }

    private static string? RequestedBy(HttpContext http)
        => http.Request.Headers[RequestedByHeader].ToString() is { Length: > 0 } who ? who : null;

    /// <summary>
    /// The library checks who and why (and a listing's cursor) before anything is read or written;
    /// its refusal is the client's 400, in its own words.
    /// </summary>
    private static async Task<IResult> InvalidAs400Async(Func<Task<IResult>> call)
    {
        try
        {
            return await call();
        }
        catch (ArgumentException ex) when (ex.ParamName is "request" or "cursor")
        {
            return SampleProblems.InvalidRequest(ex.Message);
        }
    }
}

/// <summary><c>POST /admin/purges</c>: one of <see cref="Original"/> and <see cref="Digest"/>; why; whether to block the bytes too.</summary>
internal sealed record PurgeBody(Guid? Original, string? Digest, string? Reason, bool Block);

/// <summary><c>POST /admin/blocks</c>: the digest to refuse, and why.</summary>
internal sealed record BlockBody(string? Digest, string? Reason);

/// <summary>A block-list entry of the app's scope.</summary>
internal sealed record BlockResponse(string Digest, string Reason, string BlockedBy, DateTimeOffset BlockedAt)
{
    public static BlockResponse From(BlockListEntry entry) => new(entry.Digest.ToString(), entry.Reason, entry.BlockedBy, entry.BlockedAt);
}

/// <summary>One page of the block list; pass <see cref="NextCursor"/> as <c>cursor</c> for the next.</summary>
internal sealed record BlockPage(IReadOnlyList<BlockResponse> Items, string? NextCursor);
