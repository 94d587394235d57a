using System.Diagnostics;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace ImageDedup.Benchmarks.Tests;

/// <summary>
/// Runs <c>benchmarks/scale.sh --short</c> (10³ vs 10⁴ originals, few operations) so the scale
/// benchmark cannot rot: it must finish and print every ratio for both stores. Asserts nothing
/// about the ratios themselves — timing on a shared machine is no test.
/// </summary>
public partial class ScaleScriptTests(ITestOutputHelper output)
{
    private static readonly string[] Figures =
    [
        "attach", "add_reference", "release", "release_prefix_1000", "gc_claim_batch",
        "statistics_global", "statistics_scope", "reconcile", "reconcile_blob_requests", "bytes_per_original",
    ];

    [Fact]
    public async Task The_short_scale_run_prints_every_ratio_for_both_stores()
    {
        var root = RepositoryRoot();
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        var start = new ProcessStartInfo("bash", [Path.Combine(root, "benchmarks", "scale.sh"), "--no-build", "--short"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = root,
        };
        start.Environment["CONFIGURATION"] = configuration;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        var text = await stdout;
        output.WriteLine(text);
        output.WriteLine(await stderr);

        Assert.Equal(0, process.ExitCode);
        var ratios = text.Split('\n').Where(l => RatioLine().IsMatch(l)).Select(l => l.Split(' ')[0]).ToHashSet(StringComparer.Ordinal);
        foreach (var store in new[] { "postgres", "sqlite" })
        {
            foreach (var figure in Figures)
            {
                Assert.Contains($"{store}.{figure}", ratios);
            }
        }
    }

    [GeneratedRegex(@"^[a-z]+\.[a-z0-9_]+ [0-9]+\.[0-9]{2}$")]
    private static partial Regex RatioLine();

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ImageDedup.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("No ImageDedup.sln above " + AppContext.BaseDirectory);
    }
}
