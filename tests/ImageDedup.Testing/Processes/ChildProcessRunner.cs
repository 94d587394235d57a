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
        => RunProgramAsync(DotnetHost(), [assemblyPath, .. arguments], workingDirectory: null, environment, timeout);

    /// <summary>Runs the dotnet host (an SDK command such as <c>pack</c>, or a program) in <paramref name="workingDirectory"/>.</summary>
    /// <exception cref="TimeoutException">It did not finish within <paramref name="timeout"/>; it was killed.</exception>
    public static Task<ChildProcessResult> RunDotnetAsync(
        string? workingDirectory,
        IReadOnlyDictionary<string, string>? environment,
        TimeSpan timeout,
        params string[] arguments)
        => RunProgramAsync(DotnetHost(), arguments, workingDirectory, environment, timeout);

    /// <summary>
    /// Runs any program (a tool in front of a .NET program, say) in a working directory, with its
    /// standard input closed, and waits for it.
    /// </summary>
    /// <exception cref="TimeoutException">It did not finish within <paramref name="timeout"/>; it was killed.</exception>
    public static async Task<ChildProcessResult> RunProgramAsync(
        string program,
        IEnumerable<string> arguments,
        string? workingDirectory,
        IReadOnlyDictionary<string, string>? environment,
        TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        process.StandardInput.Close();
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
            throw new TimeoutException($"{Path.GetFileName(program)} {string.Join(' ', start.ArgumentList)} did not finish within {timeout}.");
        }

        return new ChildProcessResult(process.ExitCode, await output, await error);
    }

    /// <summary>The dotnet host running the tests (so the child uses the same runtime), else dotnet on the PATH.</summary>
    public static string DotnetHost()
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
