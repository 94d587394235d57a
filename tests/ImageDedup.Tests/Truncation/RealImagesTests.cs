using ImageDedup.Fuzz;
using ImageDedup.Ingest;
using ImageDedup.Ingest.Structure;
using Microsoft.Extensions.DependencyInjection;

namespace ImageDedup.Tests.Truncation;

/// <summary>
/// No false refusal on images no one here made: the icons and wallpapers Debian's packages ship
/// under /usr/share (test.sh installs adwaita-icon-theme, tango-icon-theme, desktop-base,
/// gnome-backgrounds and libtk8.6 when they are missing).
/// </summary>
public sealed class RealImagesTests
{
    private const int Required = 300;
    private static readonly string[] Folders = ["/usr/share/icons", "/usr/share/backgrounds", "/usr/share/wallpapers", "/usr/share/desktop-base", "/usr/share/tcltk", "/usr/share/pixmaps"];

    private static readonly Lazy<List<(string Path, string Type)>> Images = new(Find);

    [Fact]
    public void No_image_shipped_by_debian_reads_as_truncated()
    {
        var images = Images.Value;
        var refused = new List<string>();
        foreach (var (path, _) in images)
        {
            var bytes = File.ReadAllBytes(path);
            var verdict = StructureTarget.Walk(bytes, splitSeed: (uint)bytes.Length | 1);
            if (verdict?.Outcome == StructureOutcome.Truncated)
            {
                refused.Add($"{path}: {verdict.Value.Detail}");
            }
        }

        Assert.True(refused.Count == 0, $"{refused.Count} of {images.Count} real images read as truncated:\n" + string.Join('\n', refused.Take(20)));
    }

    [Fact]
    public async Task A_few_hundred_of_them_are_ingested_through_the_engine()
    {
        var images = Images.Value;
        var pngs = images.Where(i => i.Type == "image/png").ToList();
        var sample = images.Where(i => i.Type != "image/png").Concat(pngs.Where((_, n) => n % Math.Max(1, pngs.Count / Required) == 0)).ToList();
        Assert.True(sample.Count >= Required, $"only {sample.Count} sampled");

        var root = Directory.CreateTempSubdirectory("imagededup-real-").FullName;
        try
        {
            var services = new ServiceCollection();
            services.AddImageDedup().UseSqlite($"Data Source={Path.Combine(root, "c.db")}").UseFileSystem(Path.Combine(root, "blobs"));
            await using var provider = services.BuildServiceProvider();
            var engine = provider.GetRequiredService<IImageDedup>();
            foreach (var (path, type) in sample)
            {
                await using var file = File.OpenRead(path);
                var result = await engine.DefaultScope.IngestAsync(file, new IngestRequest { Holder = "real" + path });
                Assert.Equal(type, result.Original.ContentType);
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static List<(string Path, string Type)> Find()
    {
        var found = new List<(string, string)>();
        var head = new byte[ImageFormats.SignatureWindow];
        foreach (var folder in Folders.Where(Directory.Exists))
        {
            var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint };
            foreach (var path in Directory.EnumerateFiles(folder, "*", options).Order(StringComparer.Ordinal))
            {
                using var file = File.OpenRead(path);
                var read = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
                if (ImageFormats.Detect(head.AsSpan(0, read)) is { } type)
                {
                    found.Add((path, type));
                }
            }
        }

        // Fail, never skip: a machine without the packages would otherwise pass this test silently.
        Assert.True(found.Count >= Required, $"Only {found.Count} images under {string.Join(", ", Folders)}; run ./test.sh as root to install the icon and wallpaper packages.");
        return found;
    }
}
