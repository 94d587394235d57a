using ImageDedup.Testing;
namespace ImageDedup.Tests;

/// <summary>The README's quick start is the program in samples/ImageDedup.QuickStart, which the build compiles.</summary>
public class ReadmeTests
{
    [Fact]
    public void The_quick_start_in_the_readme_is_the_compiled_sample()
    {
        var root = RepositoryRoot.Find();
        var readme = File.ReadAllText(Path.Combine(root, "README.md"));
        var start = readme.IndexOf("```csharp", readme.IndexOf("## Quick start", StringComparison.Ordinal), StringComparison.Ordinal) + "```csharp".Length;
        var end = readme.IndexOf("```", start, StringComparison.Ordinal);
        var sample = File.ReadAllText(Path.Combine(root, "samples", "ImageDedup.QuickStart", "Program.cs"));

        Assert.Equal(sample.Trim().ReplaceLineEndings(), readme[start..end].Trim().ReplaceLineEndings());
    }
}
