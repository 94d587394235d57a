using System.Text.RegularExpressions;
using ImageDedup.Testing;

namespace ImageDedup.Tests;

/// <summary>The README's quick start is the program in samples/ImageDedup.QuickStart, which the build compiles.</summary>
public partial class ReadmeTests
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

    /// <summary>
    /// A clone holds only the repository: every relative link of a Markdown file in it must name a
    /// file or folder inside it (the README once linked ../shared/DESIGN.md, which no clone has).
    /// </summary>
    [Fact]
    public void Every_relative_markdown_link_resolves_inside_the_repository()
    {
        var root = RepositoryRoot.Find();
        var broken = new List<string>();
        foreach (var file in MarkdownFiles(root))
        {
            var text = File.ReadAllText(file);
            foreach (Match link in MarkdownLink().Matches(text))
            {
                var target = link.Groups["target"].Value.Split('#')[0];
                if (target.Length == 0 || target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal))
                {
                    continue;
                }

                var resolved = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, target));
                var inside = resolved.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
                if (!inside || !(File.Exists(resolved) || Directory.Exists(resolved)))
                {
                    broken.Add($"{Path.GetRelativePath(root, file)}: {target}");
                }
            }
        }

        Assert.True(broken.Count == 0, "Links that leave the repository or name nothing:\n" + string.Join('\n', broken));
    }

    private static IEnumerable<string> MarkdownFiles(string root)
    {
        string[] skipped = ["bin", "obj", "node_modules", ".git", "results"];
        var pending = new Stack<string>([root]);
        while (pending.Count > 0)
        {
            var directory = pending.Pop();
            foreach (var file in Directory.EnumerateFiles(directory, "*.md"))
            {
                yield return file;
            }

            foreach (var child in Directory.EnumerateDirectories(directory))
            {
                if (!skipped.Contains(Path.GetFileName(child)))
                {
                    pending.Push(child);
                }
            }
        }
    }

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)\)")]
    private static partial Regex MarkdownLink();
}
