using System.Globalization;

namespace ImageDedup.Cli;

/// <summary>Prints one line per file and a closing summary.</summary>
internal sealed class IngestReport(TextWriter output)
{
    private int _stored;
    private int _duplicates;
    private int _rejected;

    public void Ingested(string holder, IngestResult result)
    {
        var verb = result.StoredNewBytes ? "stored" : "dup";
        if (result.StoredNewBytes)
        {
            _stored++;
        }
        else
        {
            _duplicates++;
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{verb,-8} {result.Original.Digest.Hex[..12]}  {Sizes.Format(result.Original.Length),10}  {result.Original.ContentType,-12}  refs={result.Original.ReferenceCount,-3} {holder}"));
    }

    public void Rejected(string holder, string reason)
    {
        _rejected++;
        output.WriteLine($"{"rejected",-8} {holder}: {reason}");
    }

    public void Summary(OriginalStatistics stats, string dataDirectory)
    {
        output.WriteLine();
        output.WriteLine($"{_stored + _duplicates + _rejected} file(s): {_stored} stored, {_duplicates} duplicate(s), {_rejected} rejected");
        PrintStatistics(output, stats);
        output.WriteLine($"data in {dataDirectory}");
    }

    public static void PrintStatistics(TextWriter output, OriginalStatistics stats)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"originals: {stats.UniqueOriginals} holding {Sizes.Format(stats.StoredBytes)}; references: {stats.References} ({stats.AverageReferences:0.00} per original)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"logical size: {Sizes.Format(stats.LogicalBytes)}; saved by de-duplication: {Sizes.Format(stats.BytesSaved)}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"orphans: {stats.OrphanCount} holding {Sizes.Format(stats.OrphanBytes)}"));
    }
}
