using System.Text.Json;
using ImageDedup.Testing;
using ImageDedup.Testing.Processes;

namespace ImageDedup.Cli.Tests;

/// <summary>What one run of the tool left: its exit code and everything it printed.</summary>
internal sealed record ToolResult(int ExitCode, string Output, string Error)
{
    /// <summary>Stdout parsed as the one JSON document --json promises.</summary>
    public JsonElement Json => JsonDocument.Parse(Output).RootElement;

    /// <summary>Stderr parsed as the JSON error document.</summary>
    public JsonElement ErrorJson => JsonDocument.Parse(Error).RootElement.GetProperty("error");

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}

/// <summary>
/// Runs the tool the way a user does: <c>dotnet ImageDedup.Cli.dll …</c> as a child process, in a
/// chosen working directory, with stdin closed and stdout a pipe (so not a terminal).
/// </summary>
internal static class ToolRun
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The tool as its own project builds it, with its own dependencies and runtime config — not
    /// the copy beside this test assembly, whose folder is laid out for the test host's frameworks.
    /// </summary>
    public static string ToolPath { get; } = Path.Combine(
        RepositoryRoot.Find(), "src", "ImageDedup.Cli", "bin", new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name, "net10.0", "ImageDedup.Cli.dll");

    public static string Dotnet => ChildProcessRunner.DotnetHost();

    public static Task<ToolResult> RunAsync(string workingDirectory, params string[] arguments)
        => StartAsync(workingDirectory, Dotnet, [ToolPath, .. arguments]);

    /// <summary>Runs any program (setpriv, script, mkfifo) in the working directory.</summary>
    public static async Task<ToolResult> StartAsync(string workingDirectory, string program, IEnumerable<string> arguments)
    {
        var result = await ChildProcessRunner.RunProgramAsync(program, arguments, workingDirectory, null, Limit);
        return new ToolResult(result.ExitCode, result.Output, result.Error);
    }
}
