using System.Diagnostics;

namespace ImageDedup.Cli.Tests;

public sealed class InterruptTests : IDisposable
{
    private readonly Scratch _scratch = new();

    [Fact]
    public async Task A_terminated_ingest_exits_130_with_one_line_and_leaves_nothing_half_done()
    {
        for (var i = 0; i < 6000; i++)
        {
            _scratch.Png($"many/{i / 100}/{i}.png", 8192);
        }

        var start = new ProcessStartInfo(ToolRun.Dotnet)
        {
            WorkingDirectory = _scratch.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { ToolRun.ToolPath, "ingest", "many", "--store", _scratch.Store })
        {
            start.ArgumentList.Add(argument);
        }

        using var tool = Process.Start(start)!;
        var error = tool.StandardError.ReadToEndAsync();

        // SIGTERM once the first originals are stored: the ingest is under way, and far from
        // storing 6,000 new originals (group commits of up to 1,000, each while the next is read).
        var first = await tool.StandardOutput.ReadLineAsync();
        Assert.StartsWith("ingesting 6000 file(s)", first, StringComparison.Ordinal);
        var blobs = Path.Combine(_scratch.Store, "blobs", "sha256");
        var waited = Stopwatch.StartNew();
        while (!(Directory.Exists(blobs) && Directory.EnumerateFiles(blobs, "*", SearchOption.AllDirectories).Any()))
        {
            Assert.True(waited.Elapsed < TimeSpan.FromMinutes(1) && !tool.HasExited, "the ingest stored nothing within a minute");
            await Task.Delay(20);
        }

        var kill = await ToolRun.StartAsync(_scratch.Root, "kill", ["-TERM", tool.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.Equal(0, kill.ExitCode);
        var rest = await tool.StandardOutput.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await tool.WaitForExitAsync(limit.Token);

        Assert.True(tool.ExitCode == 130, $"exit {tool.ExitCode}\n{rest}\n{await error}");
        Assert.EndsWith("imagededup: interrupted; nothing half-done is left behind (reconcile removes what a crash leaves).", (await error).TrimEnd(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", await error, StringComparison.Ordinal);
        var leftovers = await _scratch.JsonAsync("reconcile", "--dry-run", "--grace", "00:00:00");
        Assert.Equal(0L, leftovers.GetProperty("pendingRemoved").GetInt64());
        Assert.Equal(0, (await _scratch.JsonAsync("verify")).GetProperty("missing").GetArrayLength());

        // Every blob belongs to a live original: the interrupted ingests deleted theirs, and no
        // write is left in the staging folder.
        var originals = (await _scratch.JsonAsync("list")).GetProperty("originals").GetArrayLength();
        Assert.Equal(originals, Directory.GetFiles(Path.Combine(_scratch.Store, "blobs", "sha256"), "*", SearchOption.AllDirectories).Length);
        var staging = Path.Combine(_scratch.Store, "blobs", ".staging");
        Assert.True(!Directory.Exists(staging) || Directory.GetFiles(staging).Length == 0);
    }

    public void Dispose() => _scratch.Dispose();
}
