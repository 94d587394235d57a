using ImageDedup.Storage;
using ImageDedup.Testing.Content;
using ImageDedup.Testing.Engine;
using ImageDedup.Testing.Stores;

namespace ImageDedup.Matrix.Tests;

/// <summary>A blob store without the read-URL capability: the engine says so, and points at the way that works.</summary>
public sealed class UnsignedReadUrlTests : EngineTestBase
{
    private readonly SqliteStoreFactory _references = new();
    private readonly FileSystemStoreFactory _blobs = new();

    protected override Task<IReferenceStore> CreateReferenceStoreAsync() => _references.CreateAsync();

    protected override Task<IBlobStore> CreateBlobStoreAsync() => _blobs.CreateAsync();

    [Fact]
    public async Task The_file_system_cannot_sign_urls_and_says_so()
    {
        var engine = CreateEngine();
        var stored = await engine.DefaultScope.IngestAsync(new MemoryStream(TestImages.UniquePng()), new IngestRequest { Holder = "img" });

        Assert.False(engine.CanSignReadUrls);
        var refused = await Assert.ThrowsAsync<NotSupportedException>(() => engine.DefaultScope.GetReadUrlAsync(stored.Original.Id));
        Assert.Contains("OpenReadAsync", refused.Message, StringComparison.Ordinal);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _blobs.DisposeAsync();
        await _references.DisposeAsync();
    }
}
