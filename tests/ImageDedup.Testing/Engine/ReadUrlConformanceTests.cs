using ImageDedup.Storage;
using ImageDedup.Testing.Content;
using Xunit;

namespace ImageDedup.Testing.Engine;

/// <summary>
/// The read-URL capability (<see cref="IBlobUrlSigner"/>), specified once: a provider whose blob
/// store signs URLs derives a concrete class. URLs are only ever signed through the engine, for a
/// live original of the caller's scope, and a plain GET on one returns exactly the stored bytes.
/// </summary>
public abstract class ReadUrlConformanceTests : EngineTestBase
{
    [Fact]
    public async Task A_signed_url_downloads_exactly_the_stored_bytes()
    {
        var engine = CreateEngine();
        var bytes = TestImages.UniquePng(150_000);
        var stored = await engine.Scope("tenant-a").IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = "img" });

        var signed = await engine.Scope("tenant-a").GetReadUrlAsync(stored.Original.Id, TimeSpan.FromMinutes(5));

        Assert.True(engine.CanSignReadUrls);
        Assert.InRange(signed.ExpiresAt, DateTimeOffset.UtcNow.AddMinutes(4), DateTimeOffset.UtcNow.AddMinutes(6));
        using var http = new HttpClient();
        Assert.Equal(bytes, await http.GetByteArrayAsync(signed.Url));
    }

    [Fact]
    public async Task Another_scope_or_a_deleted_original_gets_no_url()
    {
        var engine = CreateEngine();
        var stored = await engine.Scope("tenant-a").IngestAsync(new MemoryStream(TestImages.UniquePng()), new IngestRequest { Holder = "img" });

        await Assert.ThrowsAsync<OriginalNotFoundException>(() => engine.Scope("tenant-b").GetReadUrlAsync(stored.Original.Id));
        await Assert.ThrowsAsync<OriginalNotFoundException>(() => engine.Scope("tenant-a").GetReadUrlAsync(Guid.CreateVersion7()));
        await engine.Scope("tenant-a").ReleaseAsync("img");
        await Assert.ThrowsAsync<OriginalNotFoundException>(() => engine.Scope("tenant-a").GetReadUrlAsync(stored.Original.Id));
    }

    [Fact]
    public async Task A_lifetime_that_is_not_positive_is_refused()
    {
        var engine = CreateEngine();
        var stored = await engine.DefaultScope.IngestAsync(new MemoryStream(TestImages.UniquePng()), new IngestRequest { Holder = "img" });

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => engine.DefaultScope.GetReadUrlAsync(stored.Original.Id, TimeSpan.Zero));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => engine.DefaultScope.GetReadUrlAsync(stored.Original.Id, TimeSpan.FromSeconds(-1)));
    }
}
