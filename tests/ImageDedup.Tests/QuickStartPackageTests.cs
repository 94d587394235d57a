using ImageDedup.Testing;
using ImageDedup.Testing.Processes;

namespace ImageDedup.Tests;

/// <summary>
/// The README's quick start as a newcomer meets it: the libraries packed into a local feed, a fresh
/// console app outside the repository that references those packages (not the projects), the
/// README's code as its Program.cs, run as a process on an image of the newcomer's own.
/// </summary>
public sealed class QuickStartPackageTests : IDisposable
{
    private static readonly string[] Packages = ["ImageDedup.Abstractions", "ImageDedup", "ImageDedup.Sqlite", "ImageDedup.FileSystem"];
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(8);
    private readonly string _work = Directory.CreateTempSubdirectory("imagededup-quickstart-").FullName;

    [Fact]
    public async Task The_readme_quick_start_runs_in_a_fresh_app_on_the_packed_packages()
    {
        var root = RepositoryRoot.Find();
        // A version of its own per run, so a package cached by an earlier run is never what runs.
        var version = $"0.1.0-quickstart.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        var feed = Directory.CreateDirectory(Path.Combine(_work, "feed")).FullName;
        foreach (var package in Packages)
        {
            var project = Path.Combine(root, "src", package, package + ".csproj");
            await SucceedAsync(root, "pack", project, "--no-build", "-c", Configuration, "-o", feed, $"-p:Version={version}", "-nologo");
        }

        var app = Directory.CreateDirectory(Path.Combine(_work, "app")).FullName;
        await File.WriteAllTextAsync(Path.Combine(app, "QuickStartApp.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="ImageDedup" Version="{version}" />
                <PackageReference Include="ImageDedup.Sqlite" Version="{version}" />
                <PackageReference Include="ImageDedup.FileSystem" Version="{version}" />
                <PackageReference Include="Microsoft.Extensions.DependencyInjection" Version="10.0.0" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), ReadmeQuickStart(root));
        var image = Path.Combine(_work, "my-photo.png");
        File.Copy(Path.Combine(root, "samples", "images", "gallery", "sunset.png"), image);
        await SucceedAsync(app, "build", "-c", "Release", "-nologo");

        var usage = await ChildProcessRunner.RunDotnetAsync(app, null, Patience, "run", "--no-build", "-c", "Release");
        var run = await ChildProcessRunner.RunDotnetAsync(app, null, Patience, "run", "--no-build", "-c", "Release", "--", image);

        Assert.Equal(2, usage.ExitCode);
        Assert.Contains("usage:", usage.Error, StringComparison.Ordinal);
        Assert.True(run.ExitCode == 0, $"the quick start failed ({run.ExitCode}):\n{run.Output}\n{run.Error}");
        Assert.Matches(@"^sha256:[0-9a-f]{64} new bytes: True\r?\nreleased; original deleted: True\r?\n$", run.Output);
        Assert.True(File.Exists(Path.Combine(app, "dedup.db")), "the quick start's catalogue is where the README says");
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    /// <summary>The configuration these tests were built in, which is the one packed.</summary>
    private static string Configuration => AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";

    private static string ReadmeQuickStart(string root)
    {
        var readme = File.ReadAllText(Path.Combine(root, "README.md"));
        var start = readme.IndexOf("```csharp", readme.IndexOf("## Quick start", StringComparison.Ordinal), StringComparison.Ordinal) + "```csharp".Length;
        return readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)];
    }

    private static async Task SucceedAsync(string directory, params string[] arguments)
    {
        var result = await ChildProcessRunner.RunDotnetAsync(directory, null, Patience, arguments);
        Assert.True(result.ExitCode == 0, $"dotnet {string.Join(' ', arguments)} failed ({result.ExitCode}):\n{result.Output}\n{result.Error}");
    }
}
