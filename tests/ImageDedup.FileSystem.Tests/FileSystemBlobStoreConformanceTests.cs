using ImageDedup.Storage;
using ImageDedup.Testing.Blobs;

namespace ImageDedup.FileSystem.Tests;

/// <summary>The shared blob-store behaviour, on a fresh temp directory per test.</summary>
public sealed class FileSystemBlobStoreConformanceTests : BlobStoreConformanceTests, IDisposable
{
    private readonly List<TempRoot> _roots = [];

    protected override Task<IBlobStore> CreateStoreAsync()
    {
        var root = new TempRoot();
        _roots.Add(root);
        return Task.FromResult<IBlobStore>(Stores.Create(Path.Join(root.Path, "blobs")));
    }

    public void Dispose()
    {
        foreach (var root in _roots)
        {
            root.Dispose();
        }
    }
}
