using ImageDedup.Storage;
using ImageDedup.Testing.Blobs;
using ImageDedup.Testing.Content;
using ImageDedup.Testing.Engine;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace ImageDedup.FileSystem.Tests;

/// <summary>The engine suite with file-system blobs under a SQLite catalogue.</summary>
public sealed class FileSystemEngineConformanceTests : EngineConformanceTests
{
    private readonly TempRoot _root = new();
    private ServiceProvider? _referenceServices;
    private ServiceProvider? _otherServices;

    protected override async Task<IReferenceStore> CreateReferenceStoreAsync()
    {
        var services = new ServiceCollection();
        services.AddImageDedup().UseSqlite(new SqliteConnectionStringBuilder { DataSource = _root.Combine("catalogue.db") }.ToString());
        _referenceServices = services.BuildServiceProvider();
        var store = _referenceServices.GetRequiredService<IReferenceStore>();
        await store.MigrateAsync();
        return store;
    }

    protected override Task<IBlobStore> CreateBlobStoreAsync() => Task.FromResult<IBlobStore>(Stores.Create(_root.Combine("blobs")));

    protected override async Task<IReferenceStore> CreateOtherCatalogueAsync()
    {
        var services = new ServiceCollection();
        services.AddImageDedup().UseSqlite(new SqliteConnectionStringBuilder { DataSource = _root.Combine("other-catalogue.db") }.ToString());
        _otherServices = services.BuildServiceProvider();
        var store = _otherServices.GetRequiredService<IReferenceStore>();
        await store.MigrateAsync();
        return store;
    }

    protected override Task WriteForeignObjectAsync(string name, byte[] content) => ForeignFiles.WriteAsync(_root.Combine("blobs"), name, content);

    protected override Task<bool> ForeignObjectExistsAsync(string name) => Task.FromResult(ForeignFiles.Exists(_root.Combine("blobs"), name));

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
        if (_referenceServices is not null)
        {
            await _referenceServices.DisposeAsync();
        }

        if (_otherServices is not null)
        {
            await _otherServices.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        _root.Dispose();
    }
}
