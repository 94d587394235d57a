namespace ImageDedup.Cli.Tests;

public sealed class InterruptTests : IDisposable
{
    private readonly Scratch _scratch = new();

    [Fact]
    public async Task A_terminated_ingest_exits_130_with_one_line_and_leaves_nothing_half_done()
    {
        for (var i = 0; i < 1500; i++)
        {
            _scratch.Png($"many/{i / 100}/{i}.png", 8192);
        }

        // SIGTERM one second in: well before 1,500 new originals (three flushes each) are stored.
        var result = await ToolRun.StartAsync(_scratch.Root, "timeout", ["--preserve-status", "-s", "TERM", "1", ToolRun.Dotnet, ToolRun.ToolPath, "ingest", "many", "--store", _scratch.Store]);

        Assert.True(result.ExitCode == 130, result.ToString());
        Assert.EndsWith("imagededup: interrupted; nothing half-done is left behind (reconcile removes what a crash leaves).", result.Error.TrimEnd(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
        var leftovers = await _scratch.JsonAsync("reconcile", "--dry-run", "--grace", "00:00:00");
        Assert.Equal(0L, leftovers.GetProperty("pendingRemoved").GetInt64());
        Assert.Equal(0L, leftovers.GetProperty("orphanBlobsDeleted").GetInt64());
        Assert.Equal(0, (await _scratch.JsonAsync("verify")).GetProperty("missing").GetArrayLength());
    }

    public void Dispose() => _scratch.Dispose();
}
