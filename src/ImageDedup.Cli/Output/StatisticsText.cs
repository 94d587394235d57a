using System.Globalization;

namespace ImageDedup.Cli.Output;

/// <summary>The store figures as text, shared by <c>stats</c> and the end of <c>ingest</c>.</summary>
internal static class StatisticsText
{
    public static void Write(TextWriter output, StatisticsDocument stats)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"originals: {stats.UniqueOriginals} holding {Sizes.Format(stats.StoredBytes)}; references: {stats.References} ({stats.AverageReferences:0.00} per original)"));
        output.WriteLine($"logical size: {Sizes.Format(stats.LogicalBytes)}; saved by de-duplication: {Sizes.Format(stats.BytesSaved)}");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"orphans: {stats.OrphanCount} holding {Sizes.Format(stats.OrphanBytes)}"));
    }
}
