using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace ImageDedup.Cli;

/// <summary>One run of a command: its global options, the store it may open, and where it prints.</summary>
internal sealed class Invocation(ParseResult result)
{
    public string StorePath { get; } = result.GetValue(GlobalOptions.Store)!;

    public string Scope { get; } = result.GetValue(GlobalOptions.Scope)!;

    public bool Json { get; } = result.GetValue(GlobalOptions.Json);

    public bool Verbose { get; } = result.GetValue(GlobalOptions.Verbose);

    /// <summary>With --verbose, notes on stderr how long the process has run when a phase ends: where a run's time goes.</summary>
    public void Phase(string name)
    {
        if (Verbose)
        {
            var elapsed = DateTime.Now - Process.GetCurrentProcess().StartTime;
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"timing: {name} done at {elapsed.TotalMilliseconds:0} ms"));
        }
    }

    /// <summary>Opens the store; only ingest passes <paramref name="create"/>.</summary>
    public Catalogue Open(bool create = false, TimeSpan? orphanGracePeriod = null)
        => Catalogue.Open(StorePath, Scope, Verbose, create, orphanGracePeriod);

    /// <summary>Prints the command's result: the document as JSON, or the text rendering.</summary>
    public void Print<T>(T document, JsonTypeInfo<T> type, Action<TextWriter> text)
    {
        if (Json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(document, type));
        }
        else
        {
            text(Console.Out);
        }
    }
}
