using System.Collections.Concurrent;
using System.Net;
using ImageDedup.Testing.Content;

namespace ImageDedup.SampleApi.Tests;

/// <summary>Deleting a project releases its holders by prefix; originals another project holds survive.</summary>
public sealed class ProjectDeletionTests(SampleDeployment deployment) : IClassFixture<SampleDeployment>
{
    private HttpClient Http => deployment.Http;

    private SampleSite Site => deployment.Site;

    [Fact]
    public async Task Deleting_a_project_of_1000_images_releases_them_all_and_shared_originals_survive()
    {
        // 250 uploads of 60 pictures, 4 styles each: 1,000 image rows over 60 originals. The other
        // project holds pictures 0–9 too, and 5 of its own.
        var pictures = Enumerable.Range(0, 65).Select(i => TestImages.Png(170_000 + i, 2_000 + i)).ToArray();
        var big = await Http.CreateProjectAsync("big");
        var other = await Http.CreateProjectAsync("other");
        var uploads = new ConcurrentBag<UploadBody>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 250), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, _) =>
            uploads.Add(await Http.UploadAsync(big, pictures[i % 60], false, "original", "thumbnail", "web", "print")));
        var kept = new List<UploadBody>();
        foreach (var i in Enumerable.Range(0, 10).Concat(Enumerable.Range(60, 5)))
        {
            kept.Add(await Http.UploadAsync(other, pictures[i]));
        }

        Assert.Equal(1000, uploads.Sum(u => u.Images.Count));
        Assert.Equal(60, uploads.Select(u => u.OriginalId).Distinct().Count());
        var before = await Consistency.AssertEventuallyWholeAsync(Site);
        Assert.Equal(65, before.LiveOriginals);

        var deleted = await Http.DeleteProjectAsync(big);

        Assert.Equal(new DeleteProjectBody(big, 1000, 1000, 50, 0), deleted);
        var after = await Consistency.AssertEventuallyWholeAsync(Site);
        Assert.Equal(15, after.LiveOriginals);
        Assert.Equal(15, after.Objects);
        Assert.Equal(1000, await Consistency.ScalarAsync(Site, $"SELECT count(*) FROM images WHERE project_id = {big} AND deleted_at IS NOT NULL"));
        Assert.Equal(0, await Consistency.ScalarAsync(Site, $"SELECT count(*) FROM imagededup.\"references\" WHERE holder LIKE 'projects/{big}/%'"));
        foreach (var (upload, picture) in kept.Zip(Enumerable.Range(0, 10).Concat(Enumerable.Range(60, 5)).Select(i => pictures[i])))
        {
            Assert.Equal(1, await Consistency.ScalarAsync(Site, $"SELECT reference_count FROM imagededup.originals WHERE id = '{upload.OriginalId}'"));
            Assert.Equal(picture, await Http.ImageBytesAsync(upload.Images.Single().Id));
        }

        using var intoDeleted = await Http.PostImageAsync(big, pictures[0]);
        Assert.Equal(HttpStatusCode.NotFound, intoDeleted.StatusCode);
        using var again = await Http.DeleteAsync($"/projects/{big}");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task A_project_deletion_interrupted_before_its_release_is_finished_by_the_sweeper()
    {
        var project = await Http.CreateProjectAsync("interrupted");
        var upload = await Http.UploadAsync(project, TestImages.UniquePng(5_000), false, "original", "web");

        // What a crash between the soft delete's commit and the prefix release leaves.
        await using (var db = Site.OpenDataSource())
        await using (var interrupted = db.CreateCommand($"""
            UPDATE projects SET deleted_at = now() WHERE id = {project};
            UPDATE images SET deleted_at = now() WHERE project_id = {project};
            """))
        {
            await interrupted.ExecuteNonQueryAsync();
        }

        await deployment.App.Process.WaitForLineAsync(new($"Project {project} released: 2 reference\\(s\\), 1 original\\(s\\) deleted"), TimeSpan.FromSeconds(30));
        Assert.Equal(1, await Consistency.ScalarAsync(Site, $"SELECT count(*) FROM projects WHERE id = {project} AND released_at IS NOT NULL"));
        Assert.Equal(0, await Consistency.ScalarAsync(Site, $"SELECT count(*) FROM imagededup.originals WHERE id = '{upload.OriginalId}'"));
        await Consistency.AssertEventuallyWholeAsync(Site);
    }
}
