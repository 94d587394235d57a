using ImageDedup.Storage;
using ImageDedup.Testing.Blobs;
using ImageDedup.Testing.Engine;
using ImageDedup.Testing.Servers;
using Microsoft.Extensions.DependencyInjection;

namespace ImageDedup.Postgres.Tests;

/// <summary>The shared engine suite on PostgreSQL and the file-system blob store under a temp root.</summary>
public sealed class PostgresEngineConformanceTests : EngineConformanceTests, IClassFixture<PostgresDatabase>
{
    private readonly PostgresDatabase _database;
    private readonly string _root = Path.Join(Path.GetTempPath(), "imagededup-pg-engine-" + Guid.NewGuid().ToString("N"));
    private ServiceProvider? _blobServices;

    public PostgresEngineConformanceTests(PostgresDatabase database) => _database = database;

    protected override async Task<IReferenceStore> CreateReferenceStoreAsync() => await Stores.CreateMigratedAsync(_database);

    protected override async Task<IReferenceStore> CreateOtherCatalogueAsync() => await Stores.CreateMigratedAsync(_database);

    protected override Task WriteForeignObjectAsync(string name, byte[] content) => ForeignFiles.WriteAsync(_root, name, content);

    protected override Task<bool> ForeignObjectExistsAsync(string name) => Task.FromResult(ForeignFiles.Exists(_root, name));

    protected override Task<IBlobStore> CreateBlobStoreAsync()
    {
        var services = new ServiceCollection();
        services.AddImageDedup().UseFileSystem(_root);
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

        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
