using System.Text.Json;
using ImageDedup.Testing;
using ImageDedup.Testing.Processes;

namespace ImageDedup.Tests;

/// <summary>
/// Every package a host or provider can reference tracks its public surface in PublicAPI.Shipped.txt and
/// PublicAPI.Unshipped.txt (README "Changing the public API"). Directory.Build.props applies the rule; this
/// asks MSBuild what it made of each project in the repository, so a new package, or one that drops out of
/// the rule, fails here instead of shipping a surface nobody sees change.
/// </summary>
public class PublicApiTrackingTests
{
    private const string Analyzer = "Microsoft.CodeAnalysis.PublicApiAnalyzers";
    private const string Header = "#nullable enable";
    private static readonly string[] ApiFiles = ["PublicAPI.Shipped.txt", "PublicAPI.Unshipped.txt"];
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    /// <summary>One evaluation of the repository's projects for both tests: each costs a dotnet process.</summary>
    private static readonly Lazy<Task<List<ProjectFacts>>> Evaluated = new(EvaluateAllAsync);

    [Fact]
    public async Task Every_referenceable_package_tracks_its_public_api()
    {
        var projects = await Evaluated.Value;

        var violations = projects.Where(p => p.IsReferenceablePackage).SelectMany(Untracked).ToList();

        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
    }

    [Fact]
    public async Task The_rule_sees_every_package_and_leaves_out_only_the_tool()
    {
        var projects = await Evaluated.Value;

        var tracked = projects.Where(p => p.IsReferenceablePackage).Select(p => p.Name).ToList();
        Assert.Equal(
            ["ImageDedup", "ImageDedup.Abstractions", "ImageDedup.AspNetCore", "ImageDedup.FileSystem", "ImageDedup.Postgres", "ImageDedup.S3", "ImageDedup.Sqlite", "ImageDedup.Testing", "ImageDedup.Testing.Servers"],
            tracked.Order(StringComparer.Ordinal));
        // A .NET tool package cannot be referenced, so its types are no one's API.
        var tool = Assert.Single(projects, p => p.Name == "ImageDedup.Cli");
        Assert.True(tool.IsPackable && tool.IsTool);
    }

    [Fact]
    public void The_guard_names_a_package_without_the_analyzer_or_the_files()
    {
        var scratch = Directory.CreateTempSubdirectory("imagededup-apitrack-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(scratch, "PublicAPI.Shipped.txt"), "");
            var bare = new ProjectFacts("ImageDedup.NewProvider", scratch, IsPackable: true, IsTool: false, [], []);

            var violations = Untracked(bare).ToList();

            Assert.Contains(violations, v => v.Contains(Analyzer, StringComparison.Ordinal));
            Assert.Contains(violations, v => v.Contains("PublicAPI.Unshipped.txt as AdditionalFiles 0 times", StringComparison.Ordinal));
            Assert.Contains(violations, v => v.Contains("PublicAPI.Shipped.txt does not start with", StringComparison.Ordinal));
            Assert.Contains(violations, v => v.Contains("PublicAPI.Unshipped.txt is missing", StringComparison.Ordinal));
            Assert.Contains(violations, v => v.Contains("list no symbol", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private static IEnumerable<string> Untracked(ProjectFacts project)
    {
        var analyzer = project.PackageReferences.FirstOrDefault(r => r.Name == Analyzer);
        if (analyzer is null)
        {
            yield return $"{project.Name} does not reference {Analyzer}";
        }
        else if (!string.Equals(analyzer.PrivateAssets, "All", StringComparison.OrdinalIgnoreCase))
        {
            // Otherwise every consumer of the package would get the analyzer too.
            yield return $"{project.Name} references {Analyzer} without PrivateAssets=All";
        }

        foreach (var file in ApiFiles)
        {
            var path = Path.Combine(project.Directory, file);
            // Listed twice, the analyzer still reads it but its code fix silently writes nothing.
            var listed = project.AdditionalFiles.Count(f => f == path);
            if (listed != 1)
            {
                yield return $"{project.Name} gives the analyzer {file} as AdditionalFiles {listed} times, not once";
            }

            if (!File.Exists(path))
            {
                yield return $"{project.Name}: {file} is missing";
                continue;
            }

            var lines = File.ReadAllLines(path);
            if (lines.Length == 0 || lines[0] != Header)
            {
                yield return $"{project.Name}: {file} does not start with '{Header}', so nullable annotations go untracked";
            }
        }

        // A package new since the last release has all of its surface in Unshipped; together the two
        // files must list something, or the files were never generated.
        var symbols = ApiFiles.Select(f => Path.Combine(project.Directory, f)).Where(File.Exists)
            .SelectMany(File.ReadAllLines).Count(l => !string.IsNullOrWhiteSpace(l) && !l.StartsWith('#'));
        if (symbols == 0)
        {
            yield return $"{project.Name}: PublicAPI.Shipped.txt and PublicAPI.Unshipped.txt list no symbol; generate them (README \"Changing the public API\")";
        }
    }

    private static async Task<List<ProjectFacts>> EvaluateAllAsync()
    {
        var root = RepositoryRoot.Find();
        var projects = Directory.GetFiles(root, "*.csproj", SearchOption.AllDirectories)
            .Where(p => !p.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .ToList();
        using var gate = new SemaphoreSlim(4);
        return [.. await Task.WhenAll(projects.Select(async project =>
        {
            await gate.WaitAsync();
            try
            {
                return await EvaluateAsync(project);
            }
            finally
            {
                gate.Release();
            }
        }))];
    }

    /// <summary>What MSBuild evaluates for the project (properties and items after every import), without building it.</summary>
    private static async Task<ProjectFacts> EvaluateAsync(string project)
    {
        var result = await ChildProcessRunner.RunDotnetAsync(
            Path.GetDirectoryName(project), null, Patience,
            "msbuild", project, "-nologo", "-nodeReuse:false",
            "-getProperty:IsPackable", "-getProperty:PackAsTool", "-getItem:PackageReference", "-getItem:AdditionalFiles");
        Assert.True(result.ExitCode == 0, $"Evaluating {project} failed ({result.ExitCode}):\n{result.Output}\n{result.Error}");

        using var json = JsonDocument.Parse(result.Output);
        var properties = json.RootElement.GetProperty("Properties");
        var items = json.RootElement.GetProperty("Items");
        return new ProjectFacts(
            Path.GetFileNameWithoutExtension(project),
            Path.GetDirectoryName(project)!,
            properties.GetProperty("IsPackable").GetString() == "true",
            properties.GetProperty("PackAsTool").GetString() == "true",
            [.. Items(items, "PackageReference").Select(i => new PackageReferenceFacts(
                i.GetProperty("Identity").GetString()!,
                i.TryGetProperty("PrivateAssets", out var assets) ? assets.GetString() : null))],
            [.. Items(items, "AdditionalFiles").Select(i => i.GetProperty("FullPath").GetString()!)]);
    }

    private static List<JsonElement> Items(JsonElement items, string type)
        => items.TryGetProperty(type, out var list) ? [.. list.EnumerateArray()] : [];

    private sealed record ProjectFacts(
        string Name,
        string Directory,
        bool IsPackable,
        bool IsTool,
        IReadOnlyList<PackageReferenceFacts> PackageReferences,
        IReadOnlyList<string> AdditionalFiles)
    {
        /// <summary>A package something else can reference: what Directory.Build.props applies the rule to.</summary>
        public bool IsReferenceablePackage => IsPackable && !IsTool;
    }

    private sealed record PackageReferenceFacts(string Name, string? PrivateAssets);
}
