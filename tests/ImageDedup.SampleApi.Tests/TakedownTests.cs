using System.Net;
using System.Net.Http.Json;
using Amazon.S3;
using ImageDedup.Testing.Content;

namespace ImageDedup.SampleApi.Tests;

/// <summary>
/// The app's admin endpoints over real HTTP: a purge takes a picture down from every project at
/// once (rows soft-deleted, the catalogue's row and the S3 object gone), a block keeps the same
/// bytes out until it is lifted, and nothing happens without the admin token.
/// </summary>
public sealed class TakedownTests(SampleDeployment deployment) : IClassFixture<SampleDeployment>
{
    private HttpClient Http => deployment.Http;

    private SampleSite Site => deployment.Site;

    private string Token => Site.AdminToken;

    [Fact]
    public async Task Purging_an_original_shared_by_two_projects_soft_deletes_every_image_and_removes_its_row_and_object_at_once()
    {
        var picture = TestImages.UniquePng(40_000);
        var first = await Http.CreateProjectAsync("first");
        var second = await Http.CreateProjectAsync("second");
        var a = await Http.UploadAsync(first, picture, false, "original", "thumbnail");
        var b = await Http.UploadAsync(second, picture, multipart: true);
        var kept = await Http.UploadAsync(second, TestImages.UniquePng(10_000));
        Assert.Equal(a.OriginalId, b.OriginalId);
        var key = await Consistency.ScalarTextAsync(Site, $"SELECT storage_key FROM imagededup.originals WHERE id = '{a.OriginalId}'");
        Assert.NotNull(key);

        var purged = await Http.PurgeAsync(Token, new { original = a.OriginalId, reason = "DMCA notice 2024-117" });

        Assert.Equal(a.Digest, purged.Digest);
        Assert.Equal([a.OriginalId], purged.OriginalsPurged);
        Assert.Empty(purged.OriginalsUnfinished);
        Assert.Equal((3L, 3, false), (purged.HoldersReleased, purged.ImagesDeleted, purged.Blocked));

        // Now, not after a grace period: the catalogue's row and the object are gone.
        Assert.Equal(0, await Consistency.ScalarAsync(Site, $"SELECT count(*) FROM imagededup.originals WHERE id = '{a.OriginalId}'"));
        await AssertNoObjectAsync(key);

        // Every image of the picture is soft-deleted (kept for billing), in both projects; the other stays.
        Assert.Equal(3, await Consistency.ScalarAsync(Site, $"SELECT count(*) FROM images WHERE original_id = '{a.OriginalId}' AND deleted_at IS NOT NULL"));
        Assert.Equal(0, await Consistency.ScalarAsync(Site, $"SELECT count(*) FROM images WHERE original_id = '{a.OriginalId}' AND deleted_at IS NULL"));
        Assert.Empty(await Http.ProjectImagesAsync(first));
        Assert.Equal([kept.Images.Single().Id], (await Http.ProjectImagesAsync(second)).Select(i => i.Id));
        using (var gone = await Http.GetAsync(b.Images.Single().Url))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        await Consistency.AssertEventuallyWholeAsync(Site);

        // Purged without a block: the same picture may be uploaded again, as new bytes.
        var again = await Http.UploadAsync(first, picture);
        Assert.True(again.StoredNewBytes);
        Assert.NotEqual(a.OriginalId, again.OriginalId);
    }

    [Fact]
    public async Task A_purge_with_a_block_refuses_the_picture_with_nothing_stored_until_it_is_unblocked()
    {
        var picture = TestImages.UniquePng(30_000);
        var digest = TestImages.DigestOf(picture);
        var project = await Http.CreateProjectAsync("blocked");
        var upload = await Http.UploadAsync(project, picture);

        var purged = await Http.PurgeAsync(Token, new { digest = digest.ToString(), reason = "abuse report 88", block = true });

        Assert.True(purged.Blocked);
        Assert.Equal([upload.OriginalId], purged.OriginalsPurged);
        Assert.Equal(1, purged.ImagesDeleted);
        var rows = await Consistency.ScalarAsync(Site, $"SELECT count(*) FROM images WHERE project_id = {project}");

        foreach (var multipart in new[] { false, true })
        {
            using var refused = await Http.PostImageAsync(project, picture, multipart, "original", "web");

            Assert.Equal(HttpStatusCode.UnavailableForLegalReasons, refused.StatusCode);
            Assert.Equal("urn:imagededup:problem:blocked-content", (await refused.Content.ReadFromJsonAsync<ProblemBody>())!.Type);
        }

        // Nothing stored: no image row, no original of the bytes in any state, no object.
        Assert.Equal(rows, await Consistency.ScalarAsync(Site, $"SELECT count(*) FROM images WHERE project_id = {project}"));
        Assert.Equal(0, await Consistency.ScalarAsync(Site, $"SELECT count(*) FROM imagededup.originals WHERE digest = '{digest}'"));
        Assert.DoesNotContain(await Consistency.ListObjectsAsync(Site, Site.KeyPrefix), k => k.Contains(digest.Hex, StringComparison.Ordinal));

        var entry = Assert.Single((await Http.BlocksAsync(Token)).Items, e => e.Digest == digest.ToString());
        Assert.Equal(("abuse report 88", AdminClient.Operator), (entry.Reason, entry.BlockedBy));

        using (var unblocked = await Http.AdminAsync(HttpMethod.Delete, $"/admin/blocks/{digest}?reason=appeal%20granted", "Bearer " + Token))
        {
            await SampleClient.EnsureAsync(unblocked, HttpStatusCode.NoContent);
        }

        Assert.DoesNotContain((await Http.BlocksAsync(Token)).Items, e => e.Digest == digest.ToString());
        var again = await Http.UploadAsync(project, picture);
        Assert.True(again.StoredNewBytes);
        using (var twice = await Http.AdminAsync(HttpMethod.Delete, $"/admin/blocks/{digest}?reason=again", "Bearer " + Token))
        {
            Assert.Equal(HttpStatusCode.NotFound, twice.StatusCode);
        }

        await Consistency.AssertEventuallyWholeAsync(Site);
    }

    [Fact]
    public async Task The_admin_endpoints_refuse_every_request_without_the_token_and_change_nothing()
    {
        var picture = TestImages.UniquePng(20_000);
        var digest = TestImages.DigestOf(picture).ToString();
        var project = await Http.CreateProjectAsync("guarded");
        var upload = await Http.UploadAsync(project, picture);
        var wrong = Token[..^1] + (Token[^1] == 'A' ? 'B' : 'A');
        var requests = new (HttpMethod Method, string Path, object? Body)[]
        {
            (HttpMethod.Post, "/admin/purges", new { original = upload.OriginalId, reason = "r", block = true }),
            (HttpMethod.Post, "/admin/purges", new { digest, reason = "r", block = true }),
            (HttpMethod.Get, "/admin/blocks", null),
            (HttpMethod.Post, "/admin/blocks", new { digest, reason = "r" }),
            (HttpMethod.Delete, $"/admin/blocks/{digest}?reason=r", null),
        };

        foreach (var authorization in new string?[] { null, "Bearer " + wrong, "Bearer " + Token[..^1], "Bearer " + Token + "x", "Basic " + Token, Token })
        {
            foreach (var (method, path, body) in requests)
            {
                using var response = await Http.AdminAsync(method, path, authorization, body);

                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} with '{authorization}': {(int)response.StatusCode}");
                Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
                Assert.Equal("urn:imagededup-sample:problem:admin-token-required", (await response.Content.ReadFromJsonAsync<ProblemBody>())!.Type);
            }
        }

        // Refused before the body is read: a body that is not even JSON gets the same 401.
        using (var garbage = new HttpRequestMessage(HttpMethod.Post, "/admin/purges") { Content = new StringContent("{ not json", System.Text.Encoding.UTF8, "application/json") })
        using (var response = await Http.SendAsync(garbage))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        // With the token, who asks must be named.
        using (var anonymous = await Http.AdminAsync(HttpMethod.Post, "/admin/purges", "Bearer " + Token, new { original = upload.OriginalId, reason = "r" }, requestedBy: null))
        {
            Assert.Equal(HttpStatusCode.BadRequest, anonymous.StatusCode);
        }

        // Nothing changed: the picture is still stored, held and served, and nothing is blocked.
        Assert.Equal(1, await Consistency.ScalarAsync(Site, $"SELECT reference_count FROM imagededup.originals WHERE id = '{upload.OriginalId}' AND state = 'live'"));
        Assert.Equal(picture, await Http.ImageBytesAsync(upload.Images.Single().Id));
        Assert.DoesNotContain((await Http.BlocksAsync(Token)).Items, e => e.Digest == digest);
        await Consistency.AssertEventuallyWholeAsync(Site);
    }

    private async Task AssertNoObjectAsync(string key)
    {
        using var s3 = Site.S3Client();
        var missing = await Assert.ThrowsAsync<AmazonS3Exception>(() => s3.GetObjectMetadataAsync(Site.S3.BucketName, Site.KeyPrefix + key));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }
}
