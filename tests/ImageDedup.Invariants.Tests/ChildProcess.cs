using System.Diagnostics;

namespace ImageDedup.Invariants.Tests;

/// <summary>Runs ImageDedup.ProcessHost (copied beside this assembly) with a pair's settings in its environment.</summary>
internal static class ChildProcess
{
    /// <summary>The exit code of a process that SIGKILLed itself: 128 + 9.</summary>
    public const int Killed = 137;

    public sealed record Result(int ExitCode, string Output, string Error);

    public static async Task<Result> RunAsync(TestPair pair, params string[] arguments)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ImageDedup.ProcessHost.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in pair.Settings)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the process host.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The process host did not finish: {string.Join(' ', arguments)}");
        }

        return new Result(process.ExitCode, await output, await error);
    }

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
