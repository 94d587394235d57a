using System.Diagnostics;
using System.Net;
using ImageDedup.Testing.Content;
using Xunit.Abstractions;

namespace ImageDedup.SampleApi.Tests;

/// <summary>
/// Bounded load runs on loopback against the running app: concurrent uploads, reads and deletes of
/// overlapping images, then everything the servers hold is checked against the app's own rows.
/// Throughput and latency are printed (the test output and artifacts/load.txt), never asserted.
/// </summary>
public sealed class LoadTests(LoadDeployment deployment, ITestOutputHelper output) : IClassFixture<LoadDeployment>
{
    private const int Workers = 8;

    private HttpClient Http => deployment.App.Http;

    private SampleSite Site => deployment.Site;

    [Fact]
    public async Task A_load_run_of_overlapping_uploads_reads_and_deletes_leaves_every_count_equal_to_the_apps_rows()
    {
        var load = await NewLoadAsync("steady");

        var result = await load.RunAsync(Workers, TimeSpan.FromSeconds(25));

        Report("load run", result);
        Assert.Equal(0, load.Mismatches);
        Assert.All(result.Statuses, s => Assert.True(
            s.Key is (LoadOperation.Upload, 201) or (LoadOperation.Read, 200) or (LoadOperation.Read, 404) or (LoadOperation.Delete, 200),
            $"{s.Value} × {s.Key.Item1} answered {s.Key.Item2}\n{string.Join('\n', deployment.App.Process.Lines.Where(l => l.StartsWith("fail", StringComparison.Ordinal)).Take(5))}"));
        Assert.Empty(load.Uncertain);
        await AssertNothingLostNorLeakedAsync(load);
    }

    [Fact]
    public async Task PostgreSQL_restarted_in_the_middle_of_a_load_run_answers_503_while_down_and_loses_and_leaks_nothing()
    {
        var load = await NewLoadAsync("restart");
        var clock = Stopwatch.StartNew();
        var running = load.RunAsync(Workers, TimeSpan.FromSeconds(20));

        await Task.Delay(TimeSpan.FromSeconds(7));
        await deployment.Postgres.StopAsync();
        var down = clock.Elapsed;
        await Task.Delay(TimeSpan.FromSeconds(1));
        using (var health = await Http.GetAsync("/health"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            Assert.Contains("\"imagededup-postgres\":{\"status\":\"Unhealthy\"", await health.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await Task.Delay(TimeSpan.FromSeconds(3));
        var up = clock.Elapsed;
        await deployment.Postgres.StartAgainAsync();
        var result = await running;

        Report("load run with PostgreSQL restarted", result);
        var offset = clock.Elapsed - result.Duration; // the run's clock started a moment after this one
        var whileDown = result.Requests.Where(s => s.At + offset > down && s.At + offset < up).ToList();
        output.WriteLine($"PostgreSQL down from {down.TotalSeconds:F1} s to {up.TotalSeconds:F1} s: {whileDown.Count} requests started meanwhile");
        Assert.NotEmpty(whileDown);
        Assert.All(whileDown, s => Assert.Equal(503, s.Status));
        Assert.Contains(result.Requests, s => s.At + offset > up + TimeSpan.FromSeconds(2) && s.Status is 200 or 201);
        Assert.Equal(0, load.Mismatches);
        Assert.All(result.Statuses, s => Assert.True(
            s.Key.Item2 is 200 or 201 or 404 or 503 && !(s.Key is (LoadOperation.Upload, 404) or (LoadOperation.Delete, 404)),
            $"{s.Value} × {s.Key.Item1} answered {s.Key.Item2}\n{string.Join('\n', deployment.App.Process.Lines.Where(l => l.StartsWith("fail", StringComparison.Ordinal)).Take(5))}"));
        using (var health = await Http.GetAsync("/health"))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        await AssertNothingLostNorLeakedAsync(load);
    }

    private async Task<LoadClient> NewLoadAsync(string name)
    {
        var projects = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            projects.Add(await Http.CreateProjectAsync($"{name} {i}"));
        }

        var pictures = Enumerable.Range(0, 24).Select(i => TestImages.Png(Random.Shared.Next(), 2_000 + (i * 700))).ToArray();
        return new LoadClient(Http, projects, pictures);
    }

    /// <summary>
    /// Once clean-up has run: the servers hold exactly what the app's rows say (counts, references,
    /// objects that re-hash to their digests), the app's figures say the same, and every image the
    /// client saw created and did not delete is still there, over the original of its bytes (and a
    /// sample of them is served byte for byte).
    /// </summary>
    private async Task AssertNothingLostNorLeakedAsync(LoadClient load)
    {
        var whole = await Consistency.AssertEventuallyWholeAsync(Site, TimeSpan.FromSeconds(90));
        var stats = await Http.StatsAsync();
        Assert.Equal(whole.LiveOriginals, stats.Catalogue.UniqueOriginals);
        Assert.Equal(whole.LiveReferencedRows, stats.Catalogue.References);
        Assert.Equal(whole.StoredBytes, stats.Catalogue.StoredBytes);
        Assert.Equal(0, stats.Catalogue.OrphanCount);
        Assert.Equal(0, stats.Catalogue.PendingOriginals);
        Assert.Equal(await Consistency.ScalarAsync(Site, "SELECT count(*) FROM images WHERE deleted_at IS NULL"), stats.App.LiveImages);
        Assert.Equal(whole.LiveReferencedRows, stats.App.LiveImages);

        var live = load.Live.Snapshot();
        output.WriteLine($"{live.Count} images the client created and kept; {load.Uncertain.Count} deletes without a clear answer; {whole.LiveOriginals} originals, {whole.Objects} objects");
        await using var db = Site.OpenDataSource();
        var digests = new Dictionary<long, string>();
        await foreach (var (id, digest) in Consistency.QueryAsync(db, """
            SELECT i.id, o.digest FROM images i JOIN imagededup.originals o ON o.id = i.original_id
            WHERE i.deleted_at IS NULL AND o.state = 'live'
            """, r => (r.GetInt64(0), r.GetString(1))))
        {
            digests[id] = digest;
        }

        Assert.All(live, image => Assert.Equal(TestImages.DigestOf(image.Bytes).ToString(), digests.GetValueOrDefault(image.Id)));
        foreach (var (id, bytes) in live.OrderBy(_ => Random.Shared.Next()).Take(300))
        {
            Assert.Equal(bytes, await Http.ImageBytesAsync(id));
        }
    }

    private void Report(string what, LoadResult result)
    {
        var line = $"{what}: {Workers} workers, {result.Describe()}";
        output.WriteLine(line);
        output.WriteLine($"(also in {Artifacts.Write(what.Replace(' ', '-') + ".txt", line + "\n")})");
    }
}
