using System.Reflection;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using Xunit.Abstractions;

namespace ImageDedup.Benchmarks.Tests;

/// <summary>Runs every benchmark once, briefly, so that none of them can rot unnoticed.</summary>
public class BenchmarksRunTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_benchmark_runs_once_in_short_mode_without_errors()
    {
        var types = BenchmarkTypes();
        Assert.NotEmpty(types);

        var artifacts = Path.Combine(Path.GetTempPath(), $"imagededup-bench-smoke-{Guid.NewGuid():N}");
        var log = new AccumulationLogger();
        BenchmarkScope.Override = "short";
        try
        {
            var summaries = BenchmarkRunner.Run(types, ShortRunConfig.Create(log, artifacts));

            var problems = new List<string>();
            foreach (var summary in summaries)
            {
                // Critical ones only: the shadow-copy check warns whenever the repository itself lives
                // under the temp directory (a clone in /tmp), which does not stop a run.
                problems.AddRange(summary.ValidationErrors.Where(e => e.IsCritical).Select(e => $"{summary.Title}: validation: {e.Message}"));
                var csv = Path.Combine(summary.ResultsDirectoryPath, $"{summary.BenchmarksCases.FirstOrDefault()?.Descriptor.Type.FullName}-report.csv");
                if (!File.Exists(csv) || !File.ReadLines(csv).First().Contains(";Mean [ns];", StringComparison.Ordinal))
                {
                    problems.Add($"{summary.Title}: no CSV report with a 'Mean [ns]' column for ratios.sh at {csv}");
                }

                if (summary.BenchmarksCases.Length == 0)
                {
                    problems.Add($"{summary.Title}: no benchmark cases");
                }

                foreach (var benchmark in summary.BenchmarksCases)
                {
                    var report = summary[benchmark];
                    if (report is null || !report.Success || report.ResultStatistics is null)
                    {
                        problems.Add($"{benchmark.DisplayInfo}: no successful result");
                    }
                }
            }

            output.WriteLine($"{summaries.Sum(s => s.Reports.Length)} benchmark cases in {summaries.Length} classes: {string.Join(", ", types.Select(t => t.Name))}");
            Assert.Equal(types.Length, summaries.Length);
            if (problems.Count > 0)
            {
                output.WriteLine(log.GetLog());
            }

            Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        }
        finally
        {
            BenchmarkScope.Override = null;
            if (Directory.Exists(artifacts))
            {
                Directory.Delete(artifacts, recursive: true);
            }
        }
    }

    private static Type[] BenchmarkTypes()
        => typeof(BenchmarkScope).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false, IsPublic: true })
            .Where(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance).Any(m => m.IsDefined(typeof(BenchmarkAttribute))))
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .ToArray();
}
