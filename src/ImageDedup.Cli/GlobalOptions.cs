using System.CommandLine;

namespace ImageDedup.Cli;

/// <summary>The options every command takes (declared once on the root, recursive).</summary>
internal static class GlobalOptions
{
    public static readonly Option<string> Store = new("--store", "--data")
    {
        Description = "The store directory holding catalogue.db and blobs/ (--data is an older name for it).",
        HelpName = "DIR",
        DefaultValueFactory = _ => ".imagededup",
        Recursive = true,
    };

    public static readonly Option<string> Scope = new("--scope")
    {
        Description = "The scope (tenant); originals are shared only within one.",
        DefaultValueFactory = _ => string.Empty,
        Recursive = true,
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Print one JSON document on stdout (errors as JSON on stderr) instead of text.",
        Recursive = true,
    };

    public static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Log what the engine does (on stderr); show stack traces of internal errors.",
        Recursive = true,
    };

    public static void AddTo(RootCommand root)
    {
        root.Options.Add(Store);
        root.Options.Add(Scope);
        root.Options.Add(Json);
        root.Options.Add(Verbose);
    }
}
