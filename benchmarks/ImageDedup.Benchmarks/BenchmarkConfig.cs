using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Csv;
using BenchmarkDotNet.Reports;
using Perfolizer.Horology;
using Perfolizer.Metrology;

namespace ImageDedup.Benchmarks;

/// <summary>
/// BenchmarkDotNet's default configuration with two changes: memory is always measured, and the
/// CSV report carries plain numbers (nanoseconds, bytes; units only in the header) so that
/// <c>benchmarks/ratios.sh</c> can divide means with awk.
/// </summary>
public static class BenchmarkConfig
{
    /// <summary>The CSV style: invariant culture, units in the header, none in the cells.</summary>
    public static SummaryStyle CsvStyle { get; } = new(
        CultureInfo.InvariantCulture,
        printUnitsInHeader: true,
        SizeUnit.B,
        TimeUnit.Nanosecond,
        printUnitsInContent: false,
        printZeroValuesInContent: true,
        maxParameterColumnWidth: 40);

    public static ManualConfig Create()
    {
        var defaults = DefaultConfig.Instance;
        return ManualConfig.CreateEmpty()
            .AddColumnProvider(defaults.GetColumnProviders().ToArray())
            .AddLogger(defaults.GetLoggers().ToArray())
            .AddAnalyser(defaults.GetAnalysers().ToArray())
            .AddValidator(defaults.GetValidators().ToArray())
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumn(StatisticColumn.Median)
            .AddExporter(MarkdownExporter.GitHub, new CsvExporter(CsvSeparator.Semicolon, CsvStyle))
            .WithArtifactsPath(defaults.ArtifactsPath);
    }
}
