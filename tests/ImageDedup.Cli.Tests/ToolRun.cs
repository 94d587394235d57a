using System.Diagnostics;
using System.Text.Json;

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

    public static string ToolPath => Path.Combine(AppContext.BaseDirectory, "ImageDedup.Cli.dll");

    public static string Dotnet
    {
        get
        {
            var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            if (!string.IsNullOrEmpty(host) && File.Exists(host))
            {
                return host;
            }

            var current = Environment.ProcessPath;
            return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
        }
    }

    public static Task<ToolResult> RunAsync(string workingDirectory, params string[] arguments)
        => StartAsync(workingDirectory, Dotnet, [ToolPath, .. arguments]);

    /// <summary>Runs any program (setpriv, script) in front of the tool.</summary>
    public static async Task<ToolResult> StartAsync(string workingDirectory, string program, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(Limit);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', start.ArgumentList)} did not finish within {Limit}.");
        }

        return new ToolResult(process.ExitCode, await output, await error);
    }
}
