using ImageDedup.Testing.Processes;

namespace ImageDedup.Invariants.Tests;

/// <summary>Runs ImageDedup.ProcessHost (copied beside this assembly) with a pair's settings in its environment.</summary>
internal static class ChildProcess
{
    public static Task<ChildProcessResult> RunAsync(TestPair pair, params string[] arguments)
        => ChildProcessRunner.RunAsync(
            Path.Combine(AppContext.BaseDirectory, "ImageDedup.ProcessHost.dll"),
            pair.Settings,
            TimeSpan.FromMinutes(3),
            arguments);
}
