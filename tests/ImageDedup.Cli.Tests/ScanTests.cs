namespace ImageDedup.Cli.Tests;

public sealed class ScanTests : IDisposable
{
    private readonly Scratch _scratch = new();

    [Fact]
    public async Task Scan_groups_identical_files_reads_only_colliding_sizes_and_never_opens_a_store()
    {
        var big = _scratch.Png("a/big.png", 100_000);
        _scratch.Write("b/big.png", big);
        _scratch.Write("b/deeper/big-again.jpg", big);
        var small = _scratch.Png("a/small.png", 3000);
        _scratch.Write("b/small.png", small);
        _scratch.Png("a/same-size-other.png", 100_000); // collides on size only; differs in its first block
        var tail = (byte[])big.Clone();
        tail[^1] ^= 1;
        _scratch.Write("a/tail-differs.png", tail); // collides on size and first block; differs in its last
        _scratch.Png("a/unique-1.png", 5000);
        _scratch.Png("a/unique-2.png", 6000);
        _scratch.Write("a/notes.txt", "text"u8.ToArray());

        var result = await ToolRun.RunAsync(_scratch.Root, "scan", "a", "b", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var scan = result.Json;
        Assert.Equal(10, scan.GetProperty("filesSeen").GetInt32());
        // Only the seven files whose size collides are read: seven leading blocks; the four big
        // ones whose first blocks collide, their trailing blocks; only the three twins in full.
        Assert.Equal(7 + 4 + 3, scan.GetProperty("filesHashed").GetInt32());
        Assert.Equal((5 * 4096L) + 3000 + 3000 + (4 * 4096L) + (3 * 100_000L), scan.GetProperty("bytesHashed").GetInt64());
        var groups = scan.GetProperty("groups").EnumerateArray().ToList();
        Assert.Equal(2, groups.Count);
        Assert.Equal(200_000L, groups[0].GetProperty("bytesReclaimable").GetInt64()); // biggest first
        Assert.Equal(3, groups[0].GetProperty("files").GetArrayLength());
        Assert.Equal(3000L, groups[1].GetProperty("bytesReclaimable").GetInt64());
        Assert.Equal(3, scan.GetProperty("duplicateFiles").GetInt32());
        Assert.Equal(203_000L, scan.GetProperty("bytesReclaimable").GetInt64());
        Assert.False(Directory.Exists(Path.Combine(_scratch.Root, ".imagededup")));
    }

    [Fact]
    public async Task Scan_prints_groups_as_text_and_fails_on_a_missing_path()
    {
        var twin = _scratch.Png("a/x.png");
        _scratch.Write("a/y.png", twin);

        var text = await ToolRun.RunAsync(_scratch.Root, "scan", "a", "--store", _scratch.Store);
        var missing = await ToolRun.RunAsync(_scratch.Root, "scan", "nothing-here");

        Assert.Equal(0, text.ExitCode);
        Assert.Contains("2 files of 4.0 KiB", text.Output, StringComparison.Ordinal);
        Assert.Contains(Path.Combine("a", "x.png"), text.Output, StringComparison.Ordinal);
        Assert.Contains("1 group(s) with 1 duplicate(s)", text.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_scratch.Store));
        Assert.Equal(3, missing.ExitCode);
        Assert.Single(missing.Error.TrimEnd().Split('\n'));
    }

    public void Dispose() => _scratch.Dispose();
}
