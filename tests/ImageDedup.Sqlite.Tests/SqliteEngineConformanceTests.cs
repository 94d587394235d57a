using ImageDedup.Storage;
using ImageDedup.Testing.Blobs;
using ImageDedup.Testing.Engine;
using Microsoft.Extensions.DependencyInjection;

namespace ImageDedup.Sqlite.Tests;

/// <summary>The engine suite on the embedded default: SQLite catalogue + file-system blobs.</summary>
public sealed class SqliteEngineConformanceTests : EngineConformanceTests
{
    private readonly SqliteTestDatabase _database = new();
    private readonly string _blobRoot = Path.Combine(Path.GetTempPath(), "imagededup-sqlite-engine-" + Guid.NewGuid().ToString("N"));
    private ServiceProvider? _blobServices;

    protected override async Task<IReferenceStore> CreateReferenceStoreAsync()
    {
        var store = _database.CreateStore();
        await store.MigrateAsync();
        return store;
    }

    /// <summary>The case: a second table prefix in the same database file is another catalogue.</summary>
    protected override async Task<IReferenceStore> CreateOtherCatalogueAsync()
    {
        var store = _database.CreateStore(prefix: "b_");
        await store.MigrateAsync();
        return store;
    }

    protected override Task WriteForeignObjectAsync(string name, byte[] content) => ForeignFiles.WriteAsync(_blobRoot, name, content);

    protected override Task<bool> ForeignObjectExistsAsync(string name) => Task.FromResult(ForeignFiles.Exists(_blobRoot, name));

    protected override Task<IBlobStore> CreateBlobStoreAsync()
    {
        var services = new ServiceCollection();
        services.AddImageDedup().UseFileSystem(_blobRoot);
        _blobServices = services.BuildServiceProvider();
        return Task.FromResult(_blobServices.GetRequiredService<IBlobStore>());
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_blobServices is not null)
        {
            await _blobServices.DisposeAsync();
        }

        _database.Dispose();
        if (Directory.Exists(_blobRoot))
        {
            Directory.Delete(_blobRoot, recursive: true);
        }
    }
}
