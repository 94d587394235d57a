namespace ImageDedup.Cli.Tests;

public sealed class ProgressTests : IDisposable
{
    private readonly Scratch _scratch = new();

    [Fact]
    public async Task On_a_terminal_ingest_draws_a_live_progress_display()
    {
        for (var i = 0; i < 40; i++)
        {
            _scratch.Png($"many/{i:00}.png", 30_000);
        }

        // script(1) from util-linux gives the tool a pseudo-terminal as its stdout.
        var command = $"'{ToolRun.Dotnet}' '{ToolRun.ToolPath}' ingest many --store '{_scratch.Store}'";
        var result = await ToolRun.StartAsync(_scratch.Root, "script", ["-qfec", command, "/dev/null"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains('\u001b', result.Output); // drawn with escape sequences, not plain lines
        Assert.Contains("40/40 files", result.Output, StringComparison.Ordinal);
        Assert.Contains("━", result.Output, StringComparison.Ordinal);
        Assert.Contains("100%", result.Output, StringComparison.Ordinal);
        Assert.Contains("images ingested: 40", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("progress: ", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_terminal_ingest_prints_plain_lines_and_with_json_only_the_document()
    {
        _scratch.Png("few/a.png");

        var plain = await _scratch.RunAsync("ingest", "few");
        var json = await ToolRun.RunAsync(_scratch.Root, "ingest", "few", "--store", _scratch.PathOf("other"), "--json");

        Assert.StartsWith("ingesting 1 file(s), 4.0 KiB", plain.Output, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', plain.Output);
        Assert.Equal(1, json.Json.GetProperty("summary").GetProperty("imagesIngested").GetInt32());
    }

    public void Dispose() => _scratch.Dispose();
}
