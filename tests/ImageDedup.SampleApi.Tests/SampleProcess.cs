using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using ImageDedup.Testing;
using ImageDedup.Testing.Processes;

namespace ImageDedup.SampleApi.Tests;

/// <summary>
/// The sample app as a real process: <c>dotnet ImageDedup.SampleApi.dll [arguments]</c> from the
/// project's folder (as <c>dotnet run</c> would: its appsettings.json and wwwroot), configured by
/// environment variables, its output kept line by line.
/// </summary>
public sealed partial class SampleProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly SemaphoreSlim _lineAdded = new(0);

    private SampleProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Add(e.Data);
        _process.ErrorDataReceived += (_, e) => Add(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Everything the process printed so far.</summary>
    public IReadOnlyList<string> Lines => [.. _lines];

    public string Output => string.Join('\n', _lines);

    /// <summary>The built app, from the configuration these tests were built in.</summary>
    public static string AppAssembly
    {
        get
        {
            // …/tests/ImageDedup.SampleApi.Tests/bin/<Configuration>/<framework>/
            var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var path = Path.Combine(ProjectDirectory, "bin", framework.Parent!.Name, framework.Name, "ImageDedup.SampleApi.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"The sample app is not built: {path}");
        }
    }

    public static string ProjectDirectory => Path.Combine(RepositoryRoot.Find(), "samples", "ImageDedup.SampleApi");

    public static SampleProcess Start(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(ChildProcessRunner.DotnetHost())
        {
            WorkingDirectory = ProjectDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(AppAssembly);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Nothing of the test host's own ASP.NET Core or .NET settings leaks into the app.
        foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || k.StartsWith("DOTNET_ENVIRONMENT", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(inherited);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the sample app.");
        process.StandardInput.Close();
        return new SampleProcess(process);
    }

    /// <summary>Waits for a line matching <paramref name="pattern"/>; fails with the output when the process ends first or time runs out.</summary>
    public async Task<Match> WaitForLineAsync(Regex pattern, TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        var seen = 0;
        while (true)
        {
            var lines = Lines;
            for (; seen < lines.Count; seen++)
            {
                if (pattern.Match(lines[seen]) is { Success: true } match)
                {
                    return match;
                }
            }

            if (_process.HasExited && seen == _lines.Count)
            {
                await _process.WaitForExitAsync(); // drains the output
                if (_lines.Count == seen)
                {
                    throw new InvalidOperationException($"The sample app exited ({_process.ExitCode}) before printing /{pattern}/:\n{Output}");
                }

                continue;
            }

            try
            {
                await _lineAdded.WaitAsync(TimeSpan.FromMilliseconds(200), limit.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"The sample app did not print /{pattern}/ within {timeout}:\n{Output}");
            }
        }
    }

    /// <summary>Waits for the process to end by itself; returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"The sample app did not finish within {timeout}:\n{Output}");
        }

        return _process.ExitCode;
    }

    /// <summary>SIGKILL: no clean-up of any kind, as a crash or an operator's kill -9.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // SIGTERM: the host stops gracefully (hosted services, pools).
            _ = SendSignal(_process.Id, 15);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                Kill();
            }
        }

        _process.Dispose();
        _lineAdded.Dispose();
    }

    private void Add(string? line)
    {
        if (line is not null)
        {
            _lines.Enqueue(line);
            _lineAdded.Release();
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);
}
