using System.Diagnostics;

namespace ImageDedup.Testing.Processes;

/// <summary>What a child process left behind.</summary>
/// <param name="ExitCode">Its exit code; 137 (128 + SIGKILL) for a process that killed itself.</param>
/// <param name="Output">Everything it wrote to standard output.</param>
/// <param name="Error">Everything it wrote to standard error.</param>
public sealed record ChildProcessResult(int ExitCode, string Output, string Error);

/// <summary>Runs a .NET program (a test process host) as a child process, with extra environment variables.</summary>
public static class ChildProcessRunner
{
    /// <summary>The exit code of a process that SIGKILLed itself: 128 + 9.</summary>
    public const int Killed = 137;

    /// <summary>Runs <c>dotnet <paramref name="assemblyPath"/> <paramref name="arguments"/></c> and waits for it.</summary>
    /// <exception cref="TimeoutException">It did not finish within <paramref name="timeout"/>; it was killed.</exception>
    public static Task<ChildProcessResult> RunAsync(
        string assemblyPath,
        IReadOnlyDictionary<string, string>? environment,
        TimeSpan timeout,
        params string[] arguments)
        => RunDotnetAsync(null, environment, timeout, [assemblyPath, .. arguments]);

    /// <summary>Runs the dotnet host (the SDK's commands or a program) with <paramref name="arguments"/> in <paramref name="workingDirectory"/>.</summary>
    /// <exception cref="TimeoutException">It did not finish within <paramref name="timeout"/>; it was killed.</exception>
    public static async Task<ChildProcessResult> RunDotnetAsync(
        string? workingDirectory,
        IReadOnlyDictionary<string, string>? environment,
        TimeSpan timeout,
        params string[] arguments)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? string.Empty,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start dotnet {string.Join(' ', arguments)}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} did not finish within {timeout}.");
        }

        return new ChildProcessResult(process.ExitCode, await output, await error);
    }

    /// <summary>The dotnet host running the tests (so the child uses the same runtime), else dotnet on the PATH.</summary>
    private static string DotnetHost()
    {
        var fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
        {
            return fromSdk;
        }

        var current = Environment.ProcessPath;
        return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
    }
}
