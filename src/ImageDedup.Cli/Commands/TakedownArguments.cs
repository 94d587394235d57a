using System.CommandLine;

namespace ImageDedup.Cli.Commands;

/// <summary>The options <c>purge</c> and <c>block</c> share: who, why, and whether every scope is meant.</summary>
internal static class TakedownArguments
{
    public static Option<string> Reason(string description) => new("--reason")
    {
        Description = description,
        Required = true,
    };

    /// <summary>Who asks: logged with the change and kept in the block list. Default: the user running the tool.</summary>
    public static Option<string> By() => new("--by")
    {
        Description = "Who asks (logged, and kept in the block list). Default: the user running the tool.",
        HelpName = "WHO",
        DefaultValueFactory = _ => Environment.UserName,
    };

    /// <summary>"every scope", or the scope quoted: where a block entry applies, for the tool's lines.</summary>
    public static string Where(string? scope) => scope is null ? "every scope" : $"scope '{scope}'";

    public static Option<bool> Everywhere(string description) => new("--everywhere") { Description = description };

    /// <summary>A digest as <c>sha256:&lt;hex&gt;</c> or 64 hex digits.</summary>
    /// <exception cref="CliException">It is neither (exit 2).</exception>
    public static ContentDigest Digest(string text)
        => ContentDigest.TryParse(text, out var digest)
            ? digest
            : throw CliException.Usage($"'{text}' is not a digest: give sha256:<64 hex digits> (see imagededup list --json).");
}
