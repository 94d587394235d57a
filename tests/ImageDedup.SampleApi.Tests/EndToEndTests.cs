using System.Net;
using System.Net.Http.Json;
using Amazon.S3;
using ImageDedup.Testing.Content;
using Microsoft.Extensions.DependencyInjection;

namespace ImageDedup.SampleApi.Tests;

/// <summary>The seed's integration tests, over real HTTP to the running app on PostgreSQL and s3rver.</summary>
public sealed class EndToEndTests(SampleDeployment deployment) : IClassFixture<SampleDeployment>
{
    private HttpClient Http => deployment.Http;

    private SampleSite Site => deployment.Site;

    [Fact]
    public async Task The_same_bytes_in_two_projects_are_one_original_with_two_references()
    {
        var picture = TestImages.UniquePng(20_000);
        var first = await Http.CreateProjectAsync("first");
        var second = await Http.CreateProjectAsync("second");

        var a = await Http.UploadAsync(first, picture);
        var b = await Http.UploadAsync(second, picture, multipart: true);

        Assert.True(a.StoredNewBytes);
        Assert.False(b.StoredNewBytes);
        Assert.Equal(a.OriginalId, b.OriginalId);
        Assert.Equal(TestImages.DigestOf(picture).ToString(), a.Digest);
        Assert.Equal(2, await Consistency.ScalarAsync(Site, $"SELECT reference_count FROM imagededup.originals WHERE id = '{a.OriginalId}'"));
        Assert.Equal(2, await Consistency.ScalarAsync(Site, $"SELECT count(*) FROM imagededup.\"references\" WHERE original_id = '{a.OriginalId}'"));
        Assert.Equal(1, await ObjectsOfAsync(a.OriginalId));
        Assert.Equal(picture, await Http.ImageBytesAsync(a.Images.Single().Id));
        Assert.Equal(picture, await Http.ImageBytesAsync(b.Images.Single().Id));
        Assert.Equal(new ProjectFiguresBody(1, 1, 0, picture.Length, picture.Length, 0), await Http.ProjectStatsAsync(second));
    }

    [Fact]
    public async Task Upload_de_duplicate_and_delete_every_image_removes_the_originals_row_and_object()
    {
        var picture = TestImages.UniquePng(30_000);
        var project = await Http.CreateProjectAsync("gallery");
        var uploads = new List<UploadBody>();
        for (var i = 0; i < 3; i++)
        {
            uploads.Add(await Http.UploadAsync(project, picture, multipart: i % 2 == 0));
        }

        var original = Assert.Single(uploads.Select(u => u.OriginalId).Distinct());
        Assert.Equal([true, false, false], uploads.Select(u => u.StoredNewBytes));
        Assert.Equal(new ProjectFiguresBody(3, 1, 0, 3 * picture.Length, picture.Length, 2 * picture.Length), await Http.ProjectStatsAsync(project));

        var deletions = new List<DeleteImageBody>();
        foreach (var image in uploads.SelectMany(u => u.Images))
        {
            deletions.Add(await Http.DeleteImageAsync(image.Id));
        }

        Assert.Equal([2L, 1L, 0L], deletions.Select(d => d.RemainingReferences!.Value));
        Assert.Equal([false, false, true], deletions.Select(d => d.OriginalOrphaned));
        await AssertGoneAsync(original);

        // The rows stay, soft-deleted, for billing; their bytes are no longer served.
        Assert.Equal(3, await Consistency.ScalarAsync(Site, $"SELECT count(*) FROM images WHERE project_id = {project} AND deleted_at IS NOT NULL AND original_id = '{original}'"));
        using var gone = await Http.GetAsync(uploads[0].Images[0].Url);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal(0, (await Http.ProjectStatsAsync(project)).Images);
    }

    [Fact]
    public async Task Three_styles_of_one_upload_keep_the_original_until_the_last_is_deleted()
    {
        var picture = TestImages.UniquePng(12_000);
        var project = await Http.CreateProjectAsync("styles");

        var upload = await Http.UploadAsync(project, picture, false, "original", "thumbnail", "web");

        Assert.Equal(["original", "thumbnail", "web"], upload.Images.Select(i => i.Style));
        Assert.All(upload.Images, i => Assert.Equal(upload.OriginalId, i.OriginalId));
        Assert.Equal(3, await Consistency.ScalarAsync(Site, $"SELECT reference_count FROM imagededup.originals WHERE id = '{upload.OriginalId}'"));

        await Http.DeleteImageAsync(upload.Images[0].Id);
        await Http.DeleteImageAsync(upload.Images[1].Id);

        // Longer than the grace period and several clean-up runs: the remaining image still holds it.
        await Task.Delay(SampleSite.OrphanGracePeriod * 2 + TimeSpan.FromSeconds(1));
        Assert.Equal(1, await Consistency.ScalarAsync(Site, $"SELECT reference_count FROM imagededup.originals WHERE id = '{upload.OriginalId}' AND state = 'live'"));
        Assert.Equal(1, await ObjectsOfAsync(upload.OriginalId));
        Assert.Equal(picture, await Http.ImageBytesAsync(upload.Images[2].Id));

        var last = await Http.DeleteImageAsync(upload.Images[2].Id);

        Assert.True(last.OriginalOrphaned);
        await AssertGoneAsync(upload.OriginalId);
    }

    [Fact]
    public async Task Deleting_an_image_whose_original_is_already_gone_succeeds_and_is_logged()
    {
        var picture = TestImages.UniquePng(8_000);
        var project = await Http.CreateProjectAsync("degraded");
        var upload = await Http.UploadAsync(project, picture);
        var image = upload.Images.Single();

        // Someone else lets go of the app's reference: the last release deletes the original now.
        await using (var catalogue = Site.OpenCatalogue())
        {
            var release = await catalogue.GetRequiredService<IImageDedup>().DefaultScope.ReleaseAsync($"projects/{project}/images/{image.Id}");
            Assert.True(release.OriginalDeleted);
        }

        var deleted = await Http.DeleteImageAsync(image.Id);

        Assert.False(deleted.ReferenceReleased);
        Assert.Equal(1, await Consistency.ScalarAsync(Site, $"SELECT count(*) FROM images WHERE id = {image.Id} AND deleted_at IS NOT NULL"));
        await deployment.App.Process.WaitForLineAsync(new($@"Image {image.Id}: no reference to release, its original {upload.OriginalId} was already gone"), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Refused_uploads_answer_with_problem_details_and_leave_no_row()
    {
        var project = await Http.CreateProjectAsync("refusals");

        using var notAnImage = await Http.PostImageAsync(project, TestImages.NotAnImage());
        using var noProject = await Http.PostImageAsync(project + 1_000_000, TestImages.UniquePng());
        using var badStyle = await Http.PostImageAsync(project, TestImages.UniquePng(), false, "Not A Style");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, notAnImage.StatusCode);
        Assert.Equal("urn:imagededup:problem:not-an-image", (await notAnImage.Content.ReadFromJsonAsync<ProblemBody>())!.Type);
        Assert.Equal(HttpStatusCode.NotFound, noProject.StatusCode);
        Assert.Equal("urn:imagededup-sample:problem:project-not-found", (await noProject.Content.ReadFromJsonAsync<ProblemBody>())!.Type);
        Assert.Equal(HttpStatusCode.BadRequest, badStyle.StatusCode);
        Assert.Equal(0, await Consistency.ScalarAsync(Site, $"SELECT count(*) FROM images WHERE project_id = {project}"));
    }

    private async Task AssertGoneAsync(Guid original)
    {
        var key = await Consistency.ScalarTextAsync(Site, $"SELECT storage_key FROM imagededup.originals WHERE id = '{original}'");
        Assert.NotNull(key);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (await Consistency.ScalarAsync(Site, $"SELECT count(*) FROM imagededup.originals WHERE id = '{original}'") != 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"original {original} was not collected within 30 s");
            await Task.Delay(250);
        }

        using var s3 = Site.S3Client();
        var missing = await Assert.ThrowsAsync<AmazonS3Exception>(() => s3.GetObjectMetadataAsync(Site.S3.BucketName, Site.KeyPrefix + key));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    private async Task<int> ObjectsOfAsync(Guid original)
        => (await Consistency.ListObjectsAsync(Site, Site.KeyPrefix + "sha256/")).Count(k => k.EndsWith("." + original.ToString("N"), StringComparison.Ordinal));
}

public sealed record ProblemBody(string Type, string Title, int Status, string? Detail);
