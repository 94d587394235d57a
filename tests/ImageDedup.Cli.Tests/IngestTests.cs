using System.Text.Json;

namespace ImageDedup.Cli.Tests;

public sealed class IngestTests : IDisposable
{
    private readonly Scratch _scratch = new();

    [Fact]
    public async Task Same_named_files_under_two_arguments_are_two_holders_and_both_pictures_stay()
    {
        var a = _scratch.Png("a/x.png");
        var b = _scratch.Png("b/x.png");

        var ingest = await _scratch.JsonAsync("ingest", "a", "b");

        var summary = ingest.GetProperty("summary");
        Assert.Equal(2, summary.GetProperty("newOriginals").GetInt32());
        Assert.Equal(2, summary.GetProperty("referencesAdded").GetInt32());
        var list = await _scratch.JsonAsync("list");
        var originals = list.GetProperty("originals").EnumerateArray().ToList();
        Assert.Equal(2, originals.Count);
        Assert.All(originals, o => Assert.Equal(1, o.GetProperty("referenceCount").GetInt32()));
        Assert.Equal(
            new[] { Scratch.HolderOf(_scratch.PathOf("a/x.png")), Scratch.HolderOf(_scratch.PathOf("b/x.png")) }.Order(StringComparer.Ordinal),
            originals.SelectMany(o => o.GetProperty("holders").EnumerateArray().Select(h => h.GetString()!)).Order(StringComparer.Ordinal));

        Assert.Equal(a, await ExportAsync(Scratch.HolderOf(_scratch.PathOf("a/x.png"))));
        Assert.Equal(b, await ExportAsync(Scratch.HolderOf(_scratch.PathOf("b/x.png"))));
    }

    [Fact]
    public async Task Ingesting_the_same_arguments_again_adds_nothing_from_any_working_directory()
    {
        _scratch.Png("pics/one.png");
        _scratch.Png("pics/deep/two.png");
        _scratch.Write("pics/copy.png", File.ReadAllBytes(_scratch.PathOf("pics/one.png")));
        await _scratch.JsonAsync("ingest", "pics");
        var before = (await _scratch.JsonAsync("stats")).GetProperty("statistics");

        // The same folder again, named relatively from elsewhere: the same holders.
        var again = await ToolRun.RunAsync(_scratch.PathOf("pics/deep"), "ingest", "..", "--store", _scratch.Store, "--json");

        Assert.Equal(0, again.ExitCode);
        var summary = again.Json.GetProperty("summary");
        Assert.Equal(0, summary.GetProperty("newOriginals").GetInt32());
        Assert.Equal(0, summary.GetProperty("referencesAdded").GetInt32());
        Assert.Equal(0, summary.GetProperty("duplicates").GetInt32());
        Assert.Equal(3, summary.GetProperty("unchanged").GetInt32());
        Assert.Equal(0L, summary.GetProperty("bytesStored").GetInt64());
        Assert.Equal(before.ToString(), (await _scratch.JsonAsync("stats")).GetProperty("statistics").ToString());
    }

    [Fact]
    public async Task Duplicates_non_images_and_empty_files_are_counted_and_the_run_succeeds()
    {
        var shared = _scratch.Png("in/first.png", 10_000);
        _scratch.Write("in/again.png", shared);
        _scratch.Write("in/sub/third-copy.png", shared);
        _scratch.Png("in/other.png");
        _scratch.Write("in/notes.txt", "just words"u8.ToArray());
        _scratch.Write("in/empty.png", []);

        var result = await _scratch.RunAsync("ingest", "in", "--json");

        Assert.Equal(0, result.ExitCode);
        var summary = result.Json.GetProperty("summary");
        Assert.Equal(6, summary.GetProperty("filesSeen").GetInt32());
        Assert.Equal(4, summary.GetProperty("imagesIngested").GetInt32());
        Assert.Equal(2, summary.GetProperty("uniqueOriginals").GetInt32());
        Assert.Equal(2, summary.GetProperty("duplicates").GetInt32());
        Assert.Equal(2, summary.GetProperty("nonImages").GetInt32());
        Assert.Equal(20_000L, summary.GetProperty("bytesSaved").GetInt64());
        Assert.Equal(14_096L, summary.GetProperty("bytesStored").GetInt64());
        var kinds = result.Json.GetProperty("problems").EnumerateArray().Select(p => p.GetProperty("kind").GetString()).Order().ToList();
        Assert.Equal(["empty", "not-an-image"], kinds);
        Assert.Equal(string.Empty, result.Error);
    }

    [Fact]
    public async Task An_image_cut_short_is_skipped_and_reported_and_the_run_goes_on()
    {
        var whole = _scratch.Png("cut/whole.png", 20_000);
        _scratch.Write("cut/half.png", whole[..10_000]);
        _scratch.Png("cut/other.png");

        var result = await _scratch.RunAsync("ingest", "cut", "--json");

        Assert.Equal(0, result.ExitCode);
        var summary = result.Json.GetProperty("summary");
        Assert.Equal(2, summary.GetProperty("newOriginals").GetInt32());
        Assert.Equal(1, summary.GetProperty("nonImages").GetInt32());
        var problem = Assert.Single(result.Json.GetProperty("problems").EnumerateArray());
        Assert.Equal("truncated", problem.GetProperty("kind").GetString());
        Assert.EndsWith("half.png", problem.GetProperty("path").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Symlinks_are_followed_once_and_a_loop_ends_the_walk()
    {
        var picture = _scratch.Png("outside/far.png");
        _scratch.Png("tree/a/own.png");
        File.CreateSymbolicLink(_scratch.PathOf("tree/link-to-far.png"), "../outside/far.png");
        Directory.CreateSymbolicLink(_scratch.PathOf("tree/a/outside"), "../../outside");
        Directory.CreateSymbolicLink(_scratch.PathOf("tree/a/loop"), "..");
        File.CreateSymbolicLink(_scratch.PathOf("tree/broken.png"), "nowhere.png");

        var result = await _scratch.RunAsync("ingest", "tree", "--json");

        Assert.Equal(1, result.ExitCode); // the broken link is reported
        var summary = result.Json.GetProperty("summary");
        Assert.Equal(2, summary.GetProperty("filesSeen").GetInt32());
        Assert.Equal(2, summary.GetProperty("newOriginals").GetInt32());
        Assert.Equal(3, summary.GetProperty("linksFollowed").GetInt32());
        Assert.True(summary.GetProperty("reachedAgain").GetInt32() >= 2, result.ToString()); // far.png twice, tree/ through the loop
        var problem = Assert.Single(result.Json.GetProperty("problems").EnumerateArray());
        Assert.Equal("unlistable", problem.GetProperty("kind").GetString());
        Assert.EndsWith("broken.png", problem.GetProperty("path").GetString(), StringComparison.Ordinal);

        // The holder is the target's own path, so the file reached through a link is one holder.
        Assert.Equal(picture, await ExportAsync(Scratch.HolderOf(_scratch.PathOf("outside/far.png"))));
    }

    [Fact]
    public async Task Unreadable_files_and_folders_are_reported_and_the_rest_is_ingested()
    {
        _scratch.Png("mixed/fine.png");
        _scratch.Png("mixed/locked.png");
        _scratch.Png("mixed/closed/inside.png");
        File.SetUnixFileMode(_scratch.PathOf("mixed/locked.png"), UnixFileMode.None);
        File.SetUnixFileMode(_scratch.PathOf("mixed/closed"), UnixFileMode.None);
        Directory.CreateDirectory(_scratch.Store);

        var result = await RunWithoutPermissionOverrideAsync("ingest", "mixed", "--store", _scratch.Store, "--json");

        Assert.Equal(1, result.ExitCode);
        var summary = result.Json.GetProperty("summary");
        Assert.Equal(1, summary.GetProperty("newOriginals").GetInt32());
        Assert.Equal(2, summary.GetProperty("unreadable").GetInt32());
        var problems = result.Json.GetProperty("problems").EnumerateArray()
            .Select(p => (Kind: p.GetProperty("kind").GetString(), Path: Path.GetFileName(p.GetProperty("path").GetString())))
            .Order()
            .ToList();
        Assert.Equal([("unlistable", "closed"), ("unreadable", "locked.png")], problems);
    }

    [Fact]
    public async Task Unreadable_files_are_one_line_each_in_text_mode()
    {
        _scratch.Png("mixed/fine.png");
        _scratch.Png("mixed/locked.png");
        File.SetUnixFileMode(_scratch.PathOf("mixed/locked.png"), UnixFileMode.None);
        Directory.CreateDirectory(_scratch.Store);

        var result = await RunWithoutPermissionOverrideAsync("ingest", "mixed", "--store", _scratch.Store);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(result.Output.Split('\n'), l => l.StartsWith("unreadable: ", StringComparison.Ordinal) && l.Contains("locked.png", StringComparison.Ordinal));
        Assert.Contains("unreadable: 1", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fifo_is_skipped_without_being_opened()
    {
        _scratch.Png("special/fine.png");
        var fifo = await ToolRun.StartAsync(_scratch.Root, "mkfifo", [_scratch.PathOf("special/pipe.png")]);
        Assert.Equal(0, fifo.ExitCode);

        var result = await _scratch.RunAsync("ingest", "special", "--json");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(1, result.Json.GetProperty("summary").GetProperty("newOriginals").GetInt32());
        Assert.Equal("empty", Assert.Single(result.Json.GetProperty("problems").EnumerateArray()).GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Hostile_file_names_become_exact_holder_keys()
    {
        var names = new[] { "line\nbreak.png", "100%.png", "tab\there.png", "ünï cödé.png", "%0A.png" };
        var bytes = names.Select(n => _scratch.Png("hostile/" + n)).ToList();

        var ingest = await _scratch.JsonAsync("ingest", "hostile");

        Assert.Equal(names.Length, ingest.GetProperty("summary").GetProperty("newOriginals").GetInt32());
        var holders = (await _scratch.JsonAsync("list")).GetProperty("originals").EnumerateArray()
            .SelectMany(o => o.GetProperty("holders").EnumerateArray().Select(h => h.GetString()!))
            .ToHashSet(StringComparer.Ordinal);
        var folder = Scratch.HolderOf(_scratch.PathOf("hostile"));
        Assert.Contains(folder + "/line%0Abreak.png", holders);
        Assert.Contains(folder + "/100%25.png", holders);
        Assert.Contains(folder + "/tab%09here.png", holders);
        Assert.Contains(folder + "/ünï cödé.png", holders);
        Assert.Contains(folder + "/%250A.png", holders);
        Assert.Equal(bytes[0], await ExportAsync(folder + "/line%0Abreak.png"));
    }

    [Fact]
    public async Task A_path_that_does_not_exist_is_one_line_exit_3_and_leaves_no_store()
    {
        _scratch.Png("real/one.png");

        var text = await _scratch.RunAsync("ingest", "real", "/nonexistent/pictures");
        var json = await _scratch.RunAsync("ingest", "/nonexistent/pictures", "--json");

        Assert.Equal(3, text.ExitCode);
        Assert.Equal("imagededup: No such file or directory: /nonexistent/pictures", text.Error.TrimEnd());
        Assert.DoesNotContain("   at ", text.Error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, text.Output);
        Assert.Equal(3, json.ExitCode);
        Assert.Equal(string.Empty, json.Output);
        Assert.Equal("path-not-found", json.ErrorJson.GetProperty("code").GetString());
        Assert.Equal(3, json.ErrorJson.GetProperty("exitCode").GetInt32());
        Assert.False(Directory.Exists(_scratch.Store));
    }

    [Fact]
    public async Task The_default_store_is_dot_imagededup_and_data_is_an_alias_of_store()
    {
        _scratch.Png("pics/a.png");

        var byDefault = await ToolRun.RunAsync(_scratch.Root, "ingest", "pics", "--json");
        var byAlias = await ToolRun.RunAsync(_scratch.Root, "stats", "--data", ".imagededup", "--json");

        Assert.Equal(0, byDefault.ExitCode);
        Assert.Equal(Path.Combine(_scratch.Root, ".imagededup"), byDefault.Json.GetProperty("store").GetString());
        Assert.True(File.Exists(Path.Combine(_scratch.Root, ".imagededup", "catalogue.db")));
        Assert.Equal(1, byAlias.Json.GetProperty("statistics").GetProperty("uniqueOriginals").GetInt64());
    }

    [Fact]
    public async Task The_repository_samples_ingest_the_way_the_readme_says()
    {
        var samples = Path.Combine(RepositoryRoot(), "samples", "images");
        var result = await ToolRun.RunAsync(_scratch.Root, "ingest", samples);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("images ingested: ", result.Output, StringComparison.Ordinal);
        Assert.Contains("skipped: 1 not image(s)", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', result.Output); // not a terminal: plain lines only
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ImageDedup.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("The repository root was not found above the test assembly.");
    }

    /// <summary>
    /// Root reads every file whatever its mode; the tool is run as root without the capabilities
    /// that override file permissions, so a mode-000 file or folder really cannot be opened.
    /// </summary>
    private async Task<ToolResult> RunWithoutPermissionOverrideAsync(params string[] arguments)
    {
        string[] tool = [ToolRun.Dotnet, ToolRun.ToolPath, .. arguments];
        return Environment.UserName == "root"
            ? await ToolRun.StartAsync(_scratch.Root, "setpriv", ["--bounding-set", "-dac_override,-dac_read_search", "--", .. tool])
            : await ToolRun.StartAsync(_scratch.Root, tool[0], tool[1..]);
    }

    private async Task<byte[]> ExportAsync(string holder)
    {
        var target = _scratch.PathOf($"export-{Guid.NewGuid():N}.bin");
        var export = await _scratch.RunAsync("export", holder, "--out", target, "--json");
        Assert.True(export.ExitCode == 0, export.ToString());
        return File.ReadAllBytes(target);
    }

    public void Dispose() => _scratch.Dispose();
}
