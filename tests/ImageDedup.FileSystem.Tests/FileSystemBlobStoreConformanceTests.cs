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

    protected override Task<IBlobStore> ReopenAsync(IBlobStore store) => Task.FromResult<IBlobStore>(Stores.Create(((FileSystemBlobStore)store).RootPath));

    protected override Task WriteForeignObjectAsync(IBlobStore store, string name, byte[] content) => ForeignFiles.WriteAsync(((FileSystemBlobStore)store).RootPath, name, content);

    public void Dispose()
    {
        foreach (var root in _roots)
        {
            root.Dispose();
        }
    }
}
