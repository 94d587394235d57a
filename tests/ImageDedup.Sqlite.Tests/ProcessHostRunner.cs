using ImageDedup.Testing;
using ImageDedup.Testing.Processes;

namespace ImageDedup.Sqlite.Tests;

/// <summary>Starts <c>ImageDedup.ProcessHost</c> (built alongside this project) as a child process.</summary>
internal static class ProcessHostRunner
{
    public static Task<ChildProcessResult> RunAsync(params string[] arguments)
        => ChildProcessRunner.RunAsync(HostAssembly(), null, TimeSpan.FromSeconds(60), arguments);

    private static string HostAssembly()
    {
        // This assembly runs from tests/ImageDedup.Sqlite.Tests/bin/<Configuration>/<TargetFramework>/.
        var baseDirectory = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var targetFramework = baseDirectory.Name;
        var configuration = baseDirectory.Parent!.Name;
        var path = Path.Combine(RepositoryRoot.Find(), "tests", "ImageDedup.ProcessHost", "bin", configuration, targetFramework, "ImageDedup.ProcessHost.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("Build tests/ImageDedup.ProcessHost first (the test project references it).", path);
    }
}
