using ImageDedup.Storage;
using ImageDedup.Testing.Engine;
using ImageDedup.Testing.Stores;

namespace ImageDedup.Matrix.Tests;

/// <summary>
/// The engine suite on one pair of providers, named by the factories' types (which the guard reads).
/// Every store is checked to come from the provider its factory names, so a pair cannot claim one
/// provider and run another.
/// </summary>
public abstract class EnginePair<TReferences, TBlobs>(TReferences references, TBlobs blobs) : EngineConformanceTests
    where TReferences : IStoreFactory<IReferenceStore>
    where TBlobs : IStoreFactory<IBlobStore>, IForeignObjects
{
    protected override async Task<IReferenceStore> CreateReferenceStoreAsync()
        => FromProvider(await references.CreateAsync(), TReferences.Provider.GetName().Name);

    protected override async Task<IBlobStore> CreateBlobStoreAsync()
        => FromProvider(await blobs.CreateAsync(), TBlobs.Provider.GetName().Name);

    /// <summary>Another catalogue is another fresh store of the same provider: its own database or schema.</summary>
    protected override Task<IReferenceStore> CreateOtherCatalogueAsync() => references.CreateAsync();

    protected override Task WriteForeignObjectAsync(string name, byte[] content) => blobs.WriteForeignObjectAsync(Blobs, name, content);

    protected override Task<bool> ForeignObjectExistsAsync(string name) => blobs.ForeignObjectExistsAsync(Blobs, name);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await blobs.DisposeAsync();
        await references.DisposeAsync();
    }

    private static T FromProvider<T>(T store, string? provider)
        where T : class
    {
        Assert.Equal(provider, store.GetType().Assembly.GetName().Name);
        return store;
    }
}
