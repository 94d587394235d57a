using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters.Csv;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace ImageDedup.Benchmarks.Tests;

/// <summary>
/// One cold invocation of everything, in this process: enough to prove each benchmark's setup,
/// body and cleanup still run, far too little to measure anything.
/// </summary>
internal static class ShortRunConfig
{
    public static IConfig Create(ILogger logger, string artifacts)
        => ManualConfig.CreateEmpty()
            .AddJob(Job.Dry.WithToolchain(InProcessEmitToolchain.Instance))
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddDiagnoser(MemoryDiagnoser.Default)
            // The exporter ratios.sh reads, so its format is exercised too.
            .AddExporter(new CsvExporter(CsvSeparator.Semicolon, BenchmarkConfig.CsvStyle))
            .AddLogger(logger)
            .WithArtifactsPath(artifacts)
            // Test builds are Debug; the numbers are thrown away, only failures matter.
            .WithOptions(ConfigOptions.DisableOptimizationsValidator | ConfigOptions.DisableLogFile);
}
