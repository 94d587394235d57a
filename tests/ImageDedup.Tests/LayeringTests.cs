using System.Xml.Linq;
using ImageDedup.Testing;

namespace ImageDedup.Tests;

/// <summary>
/// Dependencies point one way (the architecture in docs/): providers and host adapters see only the
/// contracts, never the engine or each other, so a new provider is one new folder and hosts pick
/// any mix. Only the engine, the tool and the samples compose packages.
/// </summary>
public class LayeringTests
{
    /// <summary>Shipped projects that may reference more than the contracts, and what they may reference.</summary>
    private static readonly Dictionary<string, string[]> Composers = new()
    {
        ["ImageDedup.Abstractions"] = [],
        ["ImageDedup"] = ["ImageDedup.Abstractions"],
        ["ImageDedup.Cli"] = ["ImageDedup", "ImageDedup.Abstractions", "ImageDedup.Sqlite", "ImageDedup.FileSystem"],
    };

    public static TheoryData<string> ShippedProjects()
    {
        var data = new TheoryData<string>();
        foreach (var project in Directory.GetFiles(Path.Combine(RepositoryRoot.Find(), "src"), "*.csproj", SearchOption.AllDirectories))
        {
            data.Add(Path.GetFileNameWithoutExtension(project));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ShippedProjects))]
    public void Every_shipped_project_references_only_what_its_layer_allows(string project)
    {
        var allowed = Composers.TryGetValue(project, out var composer) ? composer : ["ImageDedup.Abstractions"];

        var references = ProjectReferences(project);

        Assert.All(references, reference => Assert.True(
            allowed.Contains(reference),
            $"{project} references {reference}; it may reference only {(allowed.Length == 0 ? "nothing" : string.Join(", ", allowed))}"));
        if (!Composers.ContainsKey(project))
        {
            Assert.Contains("ImageDedup.Abstractions", references);
        }
    }

    [Fact]
    public void The_rule_sees_every_kind_of_project()
    {
        var projects = ShippedProjects().Cast<object[]>().Select(row => (string)row[0]).ToList();

        Assert.Contains("ImageDedup.Sqlite", projects);
        Assert.Contains("ImageDedup.S3", projects);
        Assert.Contains("ImageDedup", projects);
        Assert.Contains("ImageDedup.Cli", projects);
        Assert.Contains("ImageDedup.Abstractions", ProjectReferences("ImageDedup.Postgres"));
    }

    private static List<string> ProjectReferences(string project)
    {
        var path = Directory.GetFiles(Path.Combine(RepositoryRoot.Find(), "src"), project + ".csproj", SearchOption.AllDirectories).Single();
        return XDocument.Load(path).Descendants("ProjectReference")
            .Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/')))
            .ToList();
    }
}
