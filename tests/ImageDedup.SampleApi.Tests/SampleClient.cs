using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace ImageDedup.SampleApi.Tests;

/// <summary>The app's HTTP API as these tests call it, with the shapes its responses have.</summary>
public static class SampleClient
{
    public static async Task<long> CreateProjectAsync(this HttpClient http, string name)
    {
        using var response = await http.PostAsJsonAsync("/projects", new { name });
        await EnsureAsync(response, HttpStatusCode.Created);
        return (await response.Content.ReadFromJsonAsync<ProjectBody>())!.Id;
    }

    /// <summary>Uploads <paramref name="image"/> into a project as the given styles (the raw body, or multipart).</summary>
    public static async Task<UploadBody> UploadAsync(this HttpClient http, long projectId, byte[] image, bool multipart = false, params string[] styles)
    {
        using var response = await PostImageAsync(http, projectId, image, multipart, styles);
        await EnsureAsync(response, HttpStatusCode.Created);
        return (await response.Content.ReadFromJsonAsync<UploadBody>())!;
    }

    public static Task<HttpResponseMessage> PostImageAsync(this HttpClient http, long projectId, byte[] image, bool multipart = false, params string[] styles)
    {
        var query = string.Join('&', styles.Select(s => "style=" + Uri.EscapeDataString(s)));
        HttpContent content;
        if (multipart)
        {
            var form = new MultipartFormDataContent();
            var file = new ByteArrayContent(image);
            file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            form.Add(file, "file", "picture.png");
            content = form;
        }
        else
        {
            content = new ByteArrayContent(image);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        }

        return http.PostAsync(string.Create(CultureInfo.InvariantCulture, $"/projects/{projectId}/images?{query}"), content);
    }

    public static async Task<DeleteImageBody> DeleteImageAsync(this HttpClient http, long imageId)
    {
        using var response = await http.DeleteAsync(string.Create(CultureInfo.InvariantCulture, $"/images/{imageId}"));
        await EnsureAsync(response, HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<DeleteImageBody>())!;
    }

    public static async Task<DeleteProjectBody> DeleteProjectAsync(this HttpClient http, long projectId)
    {
        using var response = await http.DeleteAsync(string.Create(CultureInfo.InvariantCulture, $"/projects/{projectId}"));
        await EnsureAsync(response, HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<DeleteProjectBody>())!;
    }

    public static async Task<byte[]> ImageBytesAsync(this HttpClient http, long imageId)
    {
        using var response = await http.GetAsync(string.Create(CultureInfo.InvariantCulture, $"/images/{imageId}/content"));
        await EnsureAsync(response, HttpStatusCode.OK);
        return await response.Content.ReadAsByteArrayAsync();
    }

    public static async Task<StatsBody> StatsAsync(this HttpClient http)
        => (await http.GetFromJsonAsync<StatsBody>("/stats"))!;

    public static async Task<ProjectFiguresBody> ProjectStatsAsync(this HttpClient http, long projectId)
        => (await http.GetFromJsonAsync<ProjectFiguresBody>(string.Create(CultureInfo.InvariantCulture, $"/projects/{projectId}/stats")))!;

    public static async Task<IReadOnlyList<ImageBody>> ProjectImagesAsync(this HttpClient http, long projectId)
    {
        var all = new List<ImageBody>();
        while (true)
        {
            var after = all.Count == 0 ? 0 : all[^1].Id;
            var page = (await http.GetFromJsonAsync<List<ImageBody>>(string.Create(CultureInfo.InvariantCulture, $"/projects/{projectId}/images?after={after}&limit=500")))!;
            if (page.Count == 0)
            {
                return all;
            }

            all.AddRange(page);
        }
    }

    public static async Task EnsureAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        if (response.StatusCode != expected)
        {
            var body = await response.Content.ReadAsStringAsync();
            throw new HttpRequestException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        }
    }
}

public sealed record ProjectBody(long Id, string Name);

public sealed record ImageBody(long Id, long ProjectId, string Style, Guid? OriginalId, bool Legacy, long ByteLength, string Url);

public sealed record UploadBody(Guid OriginalId, string Digest, long Length, string ContentType, bool StoredNewBytes, IReadOnlyList<ImageBody> Images);

public sealed record DeleteImageBody(long Id, bool ReferenceReleased, long? RemainingReferences, bool OriginalOrphaned);

public sealed record DeleteProjectBody(long Id, int ImagesDeleted, long ReferencesReleased, long OriginalsDeleted, long OriginalsOrphaned);

public sealed record ProjectFiguresBody(long Images, long Originals, long Legacy, long UploadedBytes, long StoredBytes, long BytesSaved);

public sealed record StatsBody(AppFiguresBody App, CatalogueFiguresBody Catalogue);

public sealed record AppFiguresBody(long Projects, long LiveImages, long DeletedImages, long LegacyImages);

public sealed record CatalogueFiguresBody(long UniqueOriginals, long StoredBytes, long OrphanCount, long References, long LogicalBytes, long PendingOriginals, long BytesSaved);
