using ImageDedup.Storage;
using ImageDedup.Testing.Engine;
using ImageDedup.Testing.Stores;

namespace ImageDedup.S3.Tests;

/// <summary>Signed read URLs through the engine, on a SQLite temp-file reference store and the S3 blob store.</summary>
public sealed class S3ReadUrlConformanceTests : ReadUrlConformanceTests
{
    private readonly SqliteStoreFactory _references = new();
    private readonly S3StoreFactory _blobs = new();

    protected override Task<IReferenceStore> CreateReferenceStoreAsync() => _references.CreateAsync();

    protected override Task<IBlobStore> CreateBlobStoreAsync() => _blobs.CreateAsync();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _blobs.DisposeAsync();
        await _references.DisposeAsync();
    }
}
