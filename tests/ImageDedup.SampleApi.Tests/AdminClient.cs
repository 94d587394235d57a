using System.Net;
using System.Net.Http.Json;

namespace ImageDedup.SampleApi.Tests;

/// <summary>The app's admin endpoints as these tests call them: a bearer token and who asks.</summary>
public static class AdminClient
{
    public const string Operator = "ops-desk@example.test";

    /// <summary>Sends an admin request; <paramref name="authorization"/> is the whole header value (null for none).</summary>
    public static Task<HttpResponseMessage> AdminAsync(this HttpClient http, HttpMethod method, string path, string? authorization, object? body = null, string? requestedBy = Operator)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        if (requestedBy is not null)
        {
            request.Headers.Add("X-Requested-By", requestedBy);
        }

        return http.SendAsync(request);
    }

    public static async Task<PurgedBody> PurgeAsync(this HttpClient http, string token, object body)
    {
        using var response = await http.AdminAsync(HttpMethod.Post, "/admin/purges", "Bearer " + token, body);
        await SampleClient.EnsureAsync(response, HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<PurgedBody>())!;
    }

    public static async Task<BlockPageBody> BlocksAsync(this HttpClient http, string token)
    {
        using var response = await http.AdminAsync(HttpMethod.Get, "/admin/blocks", "Bearer " + token);
        await SampleClient.EnsureAsync(response, HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<BlockPageBody>())!;
    }
}

public sealed record PurgedBody(string? Digest, IReadOnlyList<Guid> OriginalsPurged, IReadOnlyList<Guid> OriginalsUnfinished, long HoldersReleased, int ImagesDeleted, bool Blocked);

public sealed record BlockEntryBody(string Digest, string Reason, string BlockedBy, DateTimeOffset BlockedAt);

public sealed record BlockPageBody(IReadOnlyList<BlockEntryBody> Items, string? NextCursor);
