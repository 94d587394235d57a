using System.Text.Json;

namespace ImageDedup.Cli.Tests;

/// <summary><c>purge</c> and <c>block</c>, run as a process: the takedown of an image, and its bytes refused afterwards.</summary>
public sealed class TakedownCommandTests : IDisposable
{
    private readonly Scratch _scratch = new();

    [Fact]
    public async Task A_purged_and_blocked_image_ingested_again_is_refused_with_nothing_stored_and_unblocking_lets_it_back()
    {
        var bytes = _scratch.Png("p/a.png", 6_000);
        _scratch.Write("p/b.png", bytes);
        var keep = _scratch.Png("keep/c.png", 3_000);
        await _scratch.JsonAsync("ingest", "p", "keep");
        var victim = (await _scratch.JsonAsync("list")).GetProperty("originals").EnumerateArray().Single(o => o.GetProperty("length").GetInt64() == bytes.Length);
        var id = victim.GetProperty("id").GetString()!;
        var digest = victim.GetProperty("digest").GetString()!;

        var purge = await _scratch.JsonAsync("purge", id, "--block", "--reason", "DMCA notice 17", "--by", "legal-team");

        Assert.Equal([id], purge.GetProperty("originalsPurged").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(2, purge.GetProperty("holdersReleased").GetInt64());
        Assert.Equal(
            new[] { "p/a.png", "p/b.png" }.Select(f => Scratch.HolderOf(_scratch.PathOf(f))).Order(StringComparer.Ordinal),
            purge.GetProperty("holders").EnumerateArray().Select(h => h.GetProperty("holder").GetString()).Order(StringComparer.Ordinal));
        Assert.Equal(("DMCA notice 17", "legal-team", digest), (Text(purge, "block", "reason"), Text(purge, "block", "blockedBy"), Text(purge, "block", "digest")));
        Assert.Equal(1L, await UniqueOriginalsAsync());
        Assert.Single(BlobFiles());

        var again = await _scratch.RunAsync("ingest", "p", "--json");

        Assert.Equal(1, again.ExitCode);
        Assert.Equal(2, again.Json.GetProperty("summary").GetProperty("blocked").GetInt32());
        Assert.All(again.Json.GetProperty("problems").EnumerateArray(), p => Assert.Equal("blocked", p.GetProperty("kind").GetString()));
        Assert.Equal(1L, await UniqueOriginalsAsync());
        Assert.Single(BlobFiles());
        var text = await _scratch.RunAsync("ingest", "p");
        Assert.Equal(1, text.ExitCode);
        Assert.Contains("blocked: 2", text.Output, StringComparison.Ordinal);

        var listed = (await _scratch.JsonAsync("block", "list")).GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal([digest], listed.Select(e => e.GetProperty("digest").GetString()));
        Assert.Equal("", listed[0].GetProperty("scope").GetString());

        var removed = await _scratch.JsonAsync("block", "remove", digest, "--reason", "counter-notice upheld");
        Assert.True(removed.GetProperty("removed").GetBoolean());
        var back = await _scratch.JsonAsync("ingest", "p");
        Assert.Equal(1, back.GetProperty("summary").GetProperty("newOriginals").GetInt32());
        Assert.Equal(2L, await UniqueOriginalsAsync());
        Assert.Equal(2, BlobFiles().Count);
        Assert.NotEmpty(keep);
    }

    [Fact]
    public async Task A_digest_is_purged_and_blocked_in_every_scope_and_the_lists_say_where()
    {
        var bytes = _scratch.Png("p/a.png", 5_000);
        await _scratch.JsonAsync("ingest", "p", "--scope", "t1");
        await _scratch.JsonAsync("ingest", "p", "--scope", "t2");
        var digest = (await _scratch.JsonAsync("list", "--scope", "t1")).GetProperty("originals")[0].GetProperty("digest").GetString()!;

        var purge = await _scratch.RunAsync("purge", digest, "--everywhere", "--block", "--reason", "hash list");
        var afterwards = await _scratch.RunAsync("ingest", "p", "--scope", "t3", "--json");
        var everywhere = (await _scratch.JsonAsync("block", "list", "--everywhere")).GetProperty("entries").EnumerateArray().ToList();
        var inScope = (await _scratch.JsonAsync("block", "list", "--scope", "t3")).GetProperty("entries");

        Assert.Equal(0, purge.ExitCode);
        Assert.Contains("purged 2 original(s)", purge.Output, StringComparison.Ordinal);
        Assert.Contains("[t1] " + Scratch.HolderOf(_scratch.PathOf("p/a.png")), purge.Output, StringComparison.Ordinal);
        Assert.Contains("[t2] ", purge.Output, StringComparison.Ordinal);
        Assert.Contains("blocked in every scope: hash list", purge.Output, StringComparison.Ordinal);
        Assert.Equal(1, afterwards.ExitCode);
        Assert.Equal(1, afterwards.Json.GetProperty("summary").GetProperty("blocked").GetInt32());
        Assert.Equal(JsonValueKind.Null, Assert.Single(everywhere).GetProperty("scope").ValueKind);
        Assert.Equal(0, inScope.GetArrayLength());
        Assert.Empty(BlobFiles());
        Assert.NotEmpty(bytes);

        var removed = await _scratch.RunAsync("block", "remove", digest, "--everywhere", "--reason", "list corrected");
        Assert.Equal(0, removed.ExitCode);
        Assert.Contains("unblocked " + digest + " in every scope", removed.Output, StringComparison.Ordinal);
        Assert.Equal(0, (await _scratch.RunAsync("ingest", "p", "--scope", "t3")).ExitCode);
    }

    [Fact]
    public async Task Purge_and_block_want_a_reason_and_a_real_target()
    {
        _scratch.Png("p/a.png");
        await _scratch.JsonAsync("ingest", "p");
        var digest = (await _scratch.JsonAsync("list")).GetProperty("originals")[0].GetProperty("digest").GetString()!;

        var noReason = await _scratch.RunAsync("purge", digest);
        var notADigest = await _scratch.RunAsync("purge", "cat.png", "--reason", "x", "--json");
        var unknown = await _scratch.RunAsync("purge", Guid.NewGuid().ToString(), "--reason", "x", "--json");
        var badBlock = await _scratch.RunAsync("block", "add", "abc", "--reason", "x");
        var blockNoReason = await _scratch.RunAsync("block", "add", digest);
        var removeNothing = await _scratch.JsonAsync("block", "remove", digest, "--reason", "x");

        Assert.Equal(2, noReason.ExitCode);
        Assert.Equal((2, "usage"), (notADigest.ExitCode, notADigest.ErrorJson.GetProperty("code").GetString()));
        Assert.Equal((3, "original-not-found"), (unknown.ExitCode, unknown.ErrorJson.GetProperty("code").GetString()));
        Assert.Equal(2, badBlock.ExitCode);
        Assert.Equal(2, blockNoReason.ExitCode);
        Assert.False(removeNothing.GetProperty("removed").GetBoolean());
        Assert.Equal(1L, await UniqueOriginalsAsync()); // nothing was taken down
        Assert.Empty((await _scratch.JsonAsync("block", "list", "--everywhere")).GetProperty("entries").EnumerateArray());
    }

    private async Task<long> UniqueOriginalsAsync()
        => (await _scratch.JsonAsync("stats", "--all-scopes")).GetProperty("statistics").GetProperty("uniqueOriginals").GetInt64();

    private List<string> BlobFiles()
    {
        var root = Path.Combine(_scratch.Store, "blobs", "sha256");
        return Directory.Exists(root) ? Directory.GetFiles(root, "*", SearchOption.AllDirectories).ToList() : [];
    }

    private static string? Text(JsonElement document, string property, string inner) => document.GetProperty(property).GetProperty(inner).GetString();

    public void Dispose() => _scratch.Dispose();
}
