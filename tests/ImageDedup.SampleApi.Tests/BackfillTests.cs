using System.Text.RegularExpressions;
using ImageDedup.Testing.Content;
using Xunit.Abstractions;

namespace ImageDedup.SampleApi.Tests;

/// <summary>
/// The seed's deployment step 3: <c>backfill</c> moves rows stored the old way onto originals while
/// the app serves, idempotently, and finishes after a kill.
/// </summary>
public sealed partial class BackfillTests(SampleDeployment deployment, ITestOutputHelper output) : IClassFixture<SampleDeployment>
{
    private HttpClient Http => deployment.Http;

    private SampleSite Site => deployment.Site;

    [Fact]
    public async Task Backfill_of_200_legacy_images_with_duplicates_moves_each_onto_its_original_and_a_second_run_changes_nothing()
    {
        var project = await Http.CreateProjectAsync("legacy");
        var distinct = Enumerable.Range(0, 70).Select(i => TestImages.Png(1_700_000 + i, 3_000 + (17 * i))).ToArray();
        var rows = await LegacyImages.SeedAsync(Site, project, [.. Enumerable.Range(0, 200).Select(i => distinct[(i * 3) % 70])]);

        // Before: the app serves the old objects.
        Assert.Equal(rows[0].Bytes, await Http.ImageBytesAsync(rows[0].Id));
        Assert.Equal(200, (await Http.ProjectStatsAsync(project)).Legacy);

        var (exit, first) = await Site.BackfillAsync("--batch-size", "25");
        output.WriteLine(first);

        Assert.Equal(0, exit);
        Assert.Contains("backfill: 200 rows to move or finish", first, StringComparison.Ordinal);
        Assert.Equal(8, ProgressLines().Count(first));
        var allBytes = rows.Sum(r => (long)r.Bytes.Length);
        var storedBytes = distinct.Sum(d => (long)d.Length);
        Assert.Contains($"done: 200 rows moved, 0 skipped; 200 old objects deleted ({allBytes} bytes); {storedBytes} bytes stored as 70 new originals; reclaimed {allBytes - storedBytes} bytes", first, StringComparison.Ordinal);
        await AssertMovedAsync(project, rows);
        var moved = await Consistency.AssertEventuallyWholeAsync(Site);

        var (again, second) = await Site.BackfillAsync();
        output.WriteLine(second);

        Assert.Equal(0, again);
        Assert.Contains("backfill: 0 rows to move or finish", second, StringComparison.Ordinal);
        Assert.Contains("done: 0 rows moved, 0 skipped; 0 old objects deleted (0 bytes); 0 bytes stored as 0 new originals; reclaimed 0 bytes", second, StringComparison.Ordinal);
        Assert.Equal(moved, await Consistency.AssertEventuallyWholeAsync(Site));
        await AssertMovedAsync(project, rows);
    }

    [Fact]
    public async Task A_blocked_legacy_picture_is_skipped_with_its_row_and_old_object_kept_and_the_rest_move()
    {
        var project = await Http.CreateProjectAsync("legacy-blocked");
        var blocked = TestImages.Png(3_700_001, 4_000);
        var others = Enumerable.Range(0, 4).Select(i => TestImages.Png(3_700_100 + i, 3_000 + i)).ToArray();
        var rows = await LegacyImages.SeedAsync(Site, project, [others[0], blocked, others[1], blocked, others[2], others[3]]);
        using (var block = await Http.AdminAsync(HttpMethod.Post, "/admin/blocks", "Bearer " + Site.AdminToken, new { digest = TestImages.DigestOf(blocked).ToString(), reason = "takedown notice" }))
        {
            await SampleClient.EnsureAsync(block, System.Net.HttpStatusCode.OK);
        }

        var (exit, report) = await Site.BackfillAsync("--batch-size", "4");
        output.WriteLine(report);

        // One refused picture does not stop the run: its rows stay as they were (still served from
        // their old objects) and every other row moves.
        Assert.Equal(0, exit);
        Assert.Contains("done: 4 rows moved, 2 skipped", report, StringComparison.Ordinal);
        Assert.Equal(2, (await Http.ProjectStatsAsync(project)).Legacy);
        Assert.Equal(blocked, await Http.ImageBytesAsync(rows[1].Id));

        // Unblocked, the next run moves them too.
        using (var unblock = await Http.AdminAsync(HttpMethod.Delete, $"/admin/blocks/{TestImages.DigestOf(blocked)}?reason=appeal%20granted", "Bearer " + Site.AdminToken))
        {
            await SampleClient.EnsureAsync(unblock, System.Net.HttpStatusCode.NoContent);
        }

        var (again, second) = await Site.BackfillAsync("--batch-size", "4");
        output.WriteLine(second);
        Assert.Equal(0, again);
        Assert.Contains("done: 2 rows moved, 0 skipped", second, StringComparison.Ordinal);
        await AssertMovedAsync(project, rows);
        await Consistency.AssertEventuallyWholeAsync(Site);
    }

    [Fact]
    public async Task A_backfill_killed_half_way_is_finished_by_the_next_run()
    {
        var project = await Http.CreateProjectAsync("killed");
        var distinct = Enumerable.Range(0, 60).Select(i => TestImages.Png(2_700_000 + i, 2_500 + (13 * i))).ToArray();
        var rows = await LegacyImages.SeedAsync(Site, project, [.. Enumerable.Range(0, 200).Select(i => distinct[(i * 11) % 60])]);

        // Three runs killed (SIGKILL) at a random moment inside a batch — between ingests, between
        // the commit and the old objects' deletion, between a deletion and its row's update — then
        // one that runs to its end.
        long left = rows.Count;
        for (var kill = 1; kill <= 3; kill++)
        {
            await using var killed = Site.StartBackfill("--batch-size", "10");
            await killed.WaitForLineAsync(Progress(10), TimeSpan.FromSeconds(60));
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await killed.WaitForLineAsync(Progress(20), TimeSpan.FromSeconds(60));
            // About one batch's time (capped: a busy machine's slow batch must not let the run end first).
            await Task.Delay(Random.Shared.Next(1, (int)Math.Clamp(clock.ElapsedMilliseconds, 2, 300)));
            killed.Kill();
            await killed.WaitForExitAsync(TimeSpan.FromSeconds(10));

            var now = await Consistency.ScalarAsync(Site, $"SELECT count(*) FROM images WHERE project_id = {project} AND original_url IS NOT NULL");
            var pointed = await Consistency.ScalarAsync(Site, $"SELECT count(*) FROM images WHERE project_id = {project} AND original_url IS NOT NULL AND original_id IS NOT NULL");
            output.WriteLine($"kill {kill}: {now} rows left, {pointed} of them pointing at an original with their old object not yet deleted");
            Assert.InRange(now, 1, left - 20); // every run moved its first two batches and was stopped before the end
            left = now;
        }

        var (exit, resumed) = await Site.BackfillAsync("--batch-size", "10");
        output.WriteLine(resumed);

        Assert.Equal(0, exit);
        Assert.Contains($"backfill: {left} rows to move or finish", resumed, StringComparison.Ordinal);
        await AssertMovedAsync(project, rows);
        await Consistency.AssertEventuallyWholeAsync(Site);
        Assert.Equal(60, await Consistency.ScalarAsync(Site, $"SELECT count(DISTINCT original_id) FROM images WHERE project_id = {project}"));
    }

    /// <summary>Every row points at the original of its own bytes and serves them; no old object is left.</summary>
    private async Task AssertMovedAsync(long project, IReadOnlyList<(long Id, byte[] Bytes)> rows)
    {
        await using var db = Site.OpenDataSource();
        var digests = new Dictionary<long, string>();
        await foreach (var (id, digest) in Consistency.QueryAsync(db, $"""
            SELECT i.id, o.digest FROM images i JOIN imagededup.originals o ON o.id = i.original_id
            WHERE i.project_id = {project} AND i.original_url IS NULL AND o.state = 'live'
            """, r => (r.GetInt64(0), r.GetString(1))))
        {
            digests[id] = digest;
        }

        Assert.All(rows, row => Assert.Equal(TestImages.DigestOf(row.Bytes).ToString(), digests.GetValueOrDefault(row.Id)));
        Assert.Empty(await Consistency.ListObjectsAsync(Site, $"{Site.LegacyPrefix}{project}/"));
        foreach (var (id, bytes) in rows.Take(5))
        {
            Assert.Equal(bytes, await Http.ImageBytesAsync(id));
        }
    }

    [GeneratedRegex(@"^backfill: \d+/\d+ rows: ", RegexOptions.Multiline)]
    private static partial Regex ProgressLines();

    private static Regex Progress(int done) => new($@"^backfill: {done}/\d+ rows: ");
}
