using System.Text.Json;

namespace ImageDedup.Cli.Tests;

public sealed class StoreCommandTests : IDisposable
{
    private readonly Scratch _scratch = new();

    [Fact]
    public async Task Duplicates_lists_shared_originals_biggest_saving_first()
    {
        var big = _scratch.Png("p/big-1.png", 50_000);
        _scratch.Write("p/big-2.png", big);
        var small = _scratch.Png("p/small-1.png", 2_000);
        _scratch.Write("p/small-2.png", small);
        _scratch.Write("p/small-3.png", small);
        _scratch.Png("p/alone.png");
        await _scratch.JsonAsync("ingest", "p");

        var duplicates = await _scratch.JsonAsync("duplicates");
        var text = await _scratch.RunAsync("duplicates");

        var groups = duplicates.GetProperty("groups").EnumerateArray().ToList();
        Assert.Equal(2, groups.Count);
        Assert.Equal(50_000L, groups[0].GetProperty("bytesSaved").GetInt64());
        Assert.Equal(2, groups[0].GetProperty("holders").GetArrayLength());
        Assert.Equal(4_000L, groups[1].GetProperty("bytesSaved").GetInt64());
        Assert.Equal(3, groups[1].GetProperty("holders").GetArrayLength());
        Assert.Equal(54_000L, duplicates.GetProperty("bytesSaved").GetInt64());
        Assert.Equal(0, text.ExitCode);
        Assert.Contains("2 shared original(s)", text.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Release_by_holder_and_by_prefix_and_the_last_release_deletes()
    {
        var shared = _scratch.Png("keep/a.png");
        _scratch.Write("drop/b.png", shared);
        _scratch.Png("drop/only.png");
        _scratch.Png("dropped-not/c.png"); // a sibling whose name starts like the prefix
        await _scratch.JsonAsync("ingest", "keep", "drop", "dropped-not");
        var drop = Scratch.HolderOf(_scratch.PathOf("drop"));

        var byPrefix = await _scratch.JsonAsync("release", "--prefix", drop);
        Assert.Equal(2L, byPrefix.GetProperty("referencesReleased").GetInt64());
        Assert.Equal(1L, byPrefix.GetProperty("originalsDeleted").GetInt64());
        Assert.Equal(2L, (await _scratch.JsonAsync("stats")).GetProperty("statistics").GetProperty("uniqueOriginals").GetInt64());

        var keep = Scratch.HolderOf(_scratch.PathOf("keep/a.png"));
        var last = await _scratch.JsonAsync("release", keep);
        Assert.True(last.GetProperty("released").GetBoolean());
        Assert.True(last.GetProperty("originalDeleted").GetBoolean());

        var again = await _scratch.JsonAsync("release", keep);
        Assert.False(again.GetProperty("released").GetBoolean());
        var stats = (await _scratch.JsonAsync("stats")).GetProperty("statistics");
        Assert.Equal(1L, stats.GetProperty("uniqueOriginals").GetInt64());
        Assert.Equal(1L, stats.GetProperty("references").GetInt64());
    }

    [Fact]
    public async Task Release_needs_exactly_one_of_a_holder_or_a_prefix()
    {
        _scratch.Png("p/a.png");
        await _scratch.JsonAsync("ingest", "p");

        var neither = await _scratch.RunAsync("release");
        var both = await _scratch.RunAsync("release", "files/x", "--prefix", "files", "--json");
        var badPrefix = await _scratch.RunAsync("release", "--prefix", "/");

        Assert.Equal(2, neither.ExitCode);
        Assert.StartsWith("imagededup: ", neither.Error, StringComparison.Ordinal);
        Assert.Equal(2, both.ExitCode);
        Assert.Equal("usage", both.ErrorJson.GetProperty("code").GetString());
        Assert.Equal(2, badPrefix.ExitCode);
        Assert.DoesNotContain("   at ", badPrefix.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gc_reconcile_and_verify_report_a_healthy_store()
    {
        _scratch.Png("p/a.png");
        _scratch.Png("p/b.png");
        await _scratch.JsonAsync("ingest", "p");

        var gc = await _scratch.JsonAsync("gc", "--grace", "00:00:00");
        var dryRun = await _scratch.JsonAsync("reconcile", "--dry-run");
        var reconcile = await _scratch.JsonAsync("reconcile");
        var verify = await _scratch.JsonAsync("verify");
        var verifyText = await _scratch.RunAsync("verify");

        Assert.Equal(0L, gc.GetProperty("originalsDeleted").GetInt64());
        Assert.True(dryRun.GetProperty("dryRun").GetBoolean());
        Assert.Equal(0, reconcile.GetProperty("missingBlobs").GetArrayLength());
        Assert.Equal(2L, verify.GetProperty("checked").GetInt64());
        Assert.Equal(0, verify.GetProperty("corrupt").GetArrayLength());
        Assert.Equal(0, verifyText.ExitCode);
        Assert.Contains("checked 2 original(s): 0 missing, 0 corrupt", verifyText.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_and_export_fail_on_a_corrupt_blob_and_export_leaves_no_file()
    {
        _scratch.Png("p/a.png", 20_000);
        await _scratch.JsonAsync("ingest", "p");
        var original = await OnlyOriginalAsync();
        var blob = BlobOf(original);
        var bytes = File.ReadAllBytes(blob);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(blob, bytes);

        var verify = await _scratch.RunAsync("verify", "--json");
        var target = _scratch.PathOf("out.png");
        var export = await _scratch.RunAsync("export", original.GetProperty("id").GetString()!, "--out", target, "--json");

        Assert.Equal(1, verify.ExitCode);
        Assert.Equal(original.GetProperty("id").GetString(), Assert.Single(verify.Json.GetProperty("corrupt").EnumerateArray()).GetString());
        Assert.Equal(1, export.ExitCode);
        Assert.Equal("corrupt", export.ErrorJson.GetProperty("code").GetString());
        Assert.Empty(Directory.GetFiles(_scratch.Root, "*out.png*"));
    }

    [Fact]
    public async Task Verify_and_a_full_reconcile_fail_on_a_missing_blob()
    {
        _scratch.Png("p/a.png");
        await _scratch.JsonAsync("ingest", "p");
        var original = await OnlyOriginalAsync();
        File.Delete(BlobOf(original));

        var verify = await _scratch.RunAsync("verify", "--json");
        var regular = await _scratch.RunAsync("reconcile", "--json");
        var reconcile = await _scratch.RunAsync("reconcile", "--full", "--json");
        var reconcileText = await _scratch.RunAsync("reconcile", "--full", "--rate", "1000");

        Assert.Equal(1, verify.ExitCode);
        Assert.Equal(original.GetProperty("id").GetString(), Assert.Single(verify.Json.GetProperty("missing").EnumerateArray()).GetString());
        // The regular reconcile checks no blob (it costs what crashes left); the audit does.
        Assert.Equal(0, regular.ExitCode);
        Assert.False(regular.Json.GetProperty("audited").GetBoolean());
        Assert.Equal(1, reconcile.ExitCode);
        Assert.True(reconcile.Json.GetProperty("audited").GetBoolean());
        Assert.Single(reconcile.Json.GetProperty("missingBlobs").EnumerateArray());
        Assert.Equal(1, reconcileText.ExitCode);
        Assert.Contains("missing bytes: original", reconcileText.Output, StringComparison.Ordinal);
        Assert.Contains("audit: ", reconcileText.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_by_id_or_holder_writes_the_exact_bytes_and_refuses_to_overwrite()
    {
        var picture = _scratch.Png("p/a.png", 70_000);
        await _scratch.JsonAsync("ingest", "p");
        var original = await OnlyOriginalAsync();
        var byId = _scratch.PathOf("by-id.png");

        var exported = await _scratch.JsonAsync("export", original.GetProperty("id").GetString()!, "--out", byId);
        var byHolder = await _scratch.RunAsync("export", Scratch.HolderOf(_scratch.PathOf("p/a.png")), "--out", _scratch.PathOf("by-holder.png"));
        var exists = await _scratch.RunAsync("export", original.GetProperty("id").GetString()!, "--out", byId, "--json");
        var forced = await _scratch.RunAsync("export", original.GetProperty("id").GetString()!, "--out", byId, "--force");
        var unknown = await _scratch.RunAsync("export", "files/nothing", "--out", _scratch.PathOf("x.png"), "--json");

        Assert.Equal(picture, File.ReadAllBytes(byId));
        Assert.Equal(70_000L, exported.GetProperty("length").GetInt64());
        Assert.Equal(0, byHolder.ExitCode);
        Assert.Equal(picture, File.ReadAllBytes(_scratch.PathOf("by-holder.png")));
        Assert.Equal(5, exists.ExitCode);
        Assert.Equal("output-exists", exists.ErrorJson.GetProperty("code").GetString());
        Assert.Equal(0, forced.ExitCode);
        Assert.Equal(3, unknown.ExitCode);
        Assert.Equal("original-not-found", unknown.ErrorJson.GetProperty("code").GetString());
        Assert.Equal(string.Empty, unknown.Output);
    }

    [Theory]
    [InlineData("stats")]
    [InlineData("list")]
    [InlineData("duplicates")]
    [InlineData("verify")]
    [InlineData("reconcile")]
    [InlineData("gc")]
    [InlineData("release", "files/x")]
    [InlineData("export", "files/x", "--out", "x.png")]
    public async Task Every_store_command_refuses_a_missing_store_and_creates_none(params string[] command)
    {
        var text = await _scratch.RunAsync(command);
        var json = await _scratch.RunAsync([.. command, "--json"]);

        Assert.Equal(3, text.ExitCode);
        Assert.Single(text.Error.TrimEnd().Split('\n'));
        Assert.StartsWith("imagededup: No store at ", text.Error, StringComparison.Ordinal);
        Assert.Equal(3, json.ExitCode);
        Assert.Equal("store-not-found", json.ErrorJson.GetProperty("code").GetString());
        Assert.Equal(string.Empty, json.Output);
        Assert.False(Directory.Exists(_scratch.Store));
    }

    [Theory]
    [InlineData("ingest")]
    [InlineData("frobnicate")]
    [InlineData("stats", "--no-such-option")]
    [InlineData("ingest", "x", "--jobs", "0")]
    [InlineData("gc", "--grace", "soon")]
    public async Task A_wrong_command_line_is_exit_2_with_one_clear_line(params string[] command)
    {
        var text = await ToolRun.RunAsync(_scratch.Root, command);
        var json = await ToolRun.RunAsync(_scratch.Root, [.. command, "--json"]);

        Assert.Equal(2, text.ExitCode);
        Assert.Single(text.Error.TrimEnd().Split('\n'));
        Assert.Equal(string.Empty, text.Output);
        Assert.Equal(2, json.ExitCode);
        Assert.Equal(2, json.ErrorJson.GetProperty("exitCode").GetInt32());
    }

    [Fact]
    public async Task A_store_path_that_is_a_file_is_exit_4()
    {
        _scratch.Png("p/a.png");
        File.WriteAllText(_scratch.Store, "not a store");

        var result = await _scratch.RunAsync("ingest", "p", "--json");

        Assert.Equal(4, result.ExitCode);
        Assert.Equal("store-unusable", result.ErrorJson.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Scopes_keep_their_originals_apart()
    {
        var picture = _scratch.Png("p/a.png");
        await _scratch.JsonAsync("ingest", "p", "--scope", "tenant-1");
        var second = await _scratch.JsonAsync("ingest", "p", "--scope", "tenant-2");

        Assert.Equal(1, second.GetProperty("summary").GetProperty("newOriginals").GetInt32());
        Assert.Equal(1L, (await _scratch.JsonAsync("stats", "--scope", "tenant-1")).GetProperty("statistics").GetProperty("uniqueOriginals").GetInt64());
        Assert.Equal(2L, (await _scratch.JsonAsync("stats", "--all-scopes")).GetProperty("statistics").GetProperty("uniqueOriginals").GetInt64());
        Assert.Equal(0, (await _scratch.JsonAsync("list")).GetProperty("originals").GetArrayLength());
        Assert.Equal(picture.Length, (await _scratch.JsonAsync("list", "--scope", "tenant-2")).GetProperty("originals")[0].GetProperty("length").GetInt32());
    }

    private async Task<JsonElement> OnlyOriginalAsync()
        => Assert.Single((await _scratch.JsonAsync("list")).GetProperty("originals").EnumerateArray());

    private string BlobOf(JsonElement original)
    {
        var hex = original.GetProperty("digest").GetString()!["sha256:".Length..];
        return Assert.Single(Directory.GetFiles(Path.Combine(_scratch.Store, "blobs"), hex + "*", SearchOption.AllDirectories));
    }

    public void Dispose() => _scratch.Dispose();
}
