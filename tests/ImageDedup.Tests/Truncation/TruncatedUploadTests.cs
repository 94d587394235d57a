using ImageDedup.Testing.Content;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ImageDedup.Tests.Truncation;

/// <summary>The fixtures through the engine a host builds (SQLite + file system), as uploads arrive: whole or cut short.</summary>
public sealed class TruncatedUploadTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("imagededup-truncation-").FullName;
    private readonly LogCapture _logs = new();
    private ServiceProvider _provider = null!;
    private IImageDedup _engine = null!;

    private string Blobs => Path.Combine(_root, "blobs");

    public static TheoryData<string> CheckableFixtures => new(FixtureImages.Checkable);

    public Task InitializeAsync()
    {
        _provider = Build(allowTruncated: false, "catalogue.db");
        _engine = _provider.GetRequiredService<IImageDedup>();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _provider.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Theory]
    [MemberData(nameof(CheckableFixtures))]
    public async Task A_fixture_cut_short_is_refused_leaving_nothing_and_whole_it_is_stored(string name)
    {
        var bytes = FixtureImages.Read(name);
        var end = FixtureImages.LogicalEnd(name, bytes);
        foreach (var cut in new[] { FixtureImages.HeaderCut(name, bytes), end / 2, end - 1 })
        {
            var part = bytes[..cut];
            var ex = await Assert.ThrowsAsync<ImageTruncatedException>(() => _engine.DefaultScope.IngestAsync(NonSeekableStream.Over(part, maxChunk: 1000), new IngestRequest { Holder = "h" }));
            Assert.Equal(cut, ex.Length);
            Assert.Contains(ex.IncompleteStructure, ex.Message, StringComparison.Ordinal);
            await Assert.ThrowsAsync<ImageTruncatedException>(() => _engine.DefaultScope.IngestAsync(new MemoryStream(part), new IngestRequest { Holder = "h" }));
        }

        await AssertNothingStoredAsync();

        var stored = await _engine.DefaultScope.IngestAsync(NonSeekableStream.Over(bytes, maxChunk: 777), new IngestRequest { Holder = "h" });
        Assert.True(stored.StoredNewBytes);
        Assert.Equal(bytes.Length, stored.Original.Length);
    }

    [Fact]
    public async Task The_refusal_names_the_incomplete_structure_and_the_check_is_logged_at_debug()
    {
        var png = FixtureImages.Read("png/truecolour.png");
        var ex = await Assert.ThrowsAsync<ImageTruncatedException>(() => _engine.DefaultScope.IngestAsync(new MemoryStream(png[..100_000])));
        Assert.Equal("image/png", ex.ContentType);
        Assert.Contains("'IDAT'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(_logs.Records, r => r.Level == LogLevel.Debug && r.Message.Contains("Truncated", StringComparison.Ordinal) && r.Message.Contains("'IDAT'", StringComparison.Ordinal));

        await _engine.DefaultScope.IngestAsync(new MemoryStream(png));
        Assert.Contains(_logs.Records, r => r.Level == LogLevel.Debug && r.Message.Contains("Complete, PNG chunks complete to IEND", StringComparison.Ordinal));

        await _engine.DefaultScope.IngestAsync(new MemoryStream(FixtureImages.Read("jxl/codestream.jxl")));
        Assert.Contains(_logs.Records, r => r.Level == LogLevel.Debug && r.Message.Contains("Unchecked", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_truncated_images_allowed_a_cut_file_is_stored_as_it_came()
    {
        await using var provider = Build(allowTruncated: true, "allowing.db");
        var engine = provider.GetRequiredService<IImageDedup>();
        var jpeg = FixtureImages.Read("jpeg/progressive-exif.jpg")[..10_000];

        var stored = await engine.DefaultScope.IngestAsync(NonSeekableStream.Over(jpeg), new IngestRequest { Holder = "h" });

        Assert.True(stored.StoredNewBytes);
        Assert.Equal("image/jpeg", stored.Original.ContentType);
        Assert.Equal(jpeg.Length, stored.Original.Length);
    }

    [Fact]
    public async Task Content_that_is_not_an_image_is_never_walked_even_when_declared_as_one()
    {
        await using var provider = Build(allowTruncated: false, "any.db", allowAny: true);
        var engine = provider.GetRequiredService<IImageDedup>();
        var stored = await engine.DefaultScope.IngestAsync(new MemoryStream(TestImages.NotAnImage()), new IngestRequest { DeclaredContentType = "image/png" });
        Assert.Equal("image/png", stored.Original.ContentType);
    }

    private ServiceProvider Build(bool allowTruncated, string database, bool allowAny = false)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(_logs));
        services.AddImageDedup(o =>
            {
                o.BufferSize = 64 * 1024;
                o.AllowTruncatedImages = allowTruncated;
                o.AllowAnyContent = allowAny;
            })
            .UseSqlite($"Data Source={Path.Combine(_root, database)}")
            .UseFileSystem(Path.Combine(Blobs, database));
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    private async Task AssertNothingStoredAsync()
    {
        Assert.Empty((await _engine.DefaultScope.ListOriginalsAsync()).Items);
        Assert.Null(await _engine.DefaultScope.FindByHolderAsync("h"));
        var folder = Path.Combine(Blobs, "catalogue.db");
        // Only the ownership marker (.imagededup/owner), written before the first ingest, may be there.
        Assert.Empty(Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Where(f => !f.Contains(".imagededup", StringComparison.Ordinal)) : []);
    }
}
