using System.Reflection;
using ImageDedup.FileSystem;
using ImageDedup.Storage;
using ImageDedup.Testing.Blobs;
using Microsoft.Extensions.DependencyInjection;

namespace ImageDedup.Testing.Stores;

/// <summary>File-system blob stores, each under its own root in one temporary directory.</summary>
public sealed class FileSystemStoreFactory : StoreFactory<IBlobStore>, IStoreFactory<IBlobStore>, IForeignObjects
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("imagededup-fs-");
    private readonly Dictionary<IBlobStore, string> _roots = new(ReferenceEqualityComparer.Instance);

    /// <inheritdoc/>
    public static Assembly Provider => typeof(FileSystemBlobStoreOptions).Assembly;

    /// <inheritdoc/>
    public override Task<IBlobStore> CreateAsync()
    {
        var root = Path.Combine(_directory.FullName, Guid.NewGuid().ToString("N"));
        var store = Build(b => b.UseFileSystem(root));
        _roots.Add(store, root);
        return Task.FromResult(store);
    }

    /// <inheritdoc/>
    public Task WriteForeignObjectAsync(IBlobStore store, string name, byte[] content) => ForeignFiles.WriteAsync(_roots[store], name, content);

    /// <inheritdoc/>
    public Task<bool> ForeignObjectExistsAsync(IBlobStore store, string name) => Task.FromResult(ForeignFiles.Exists(_roots[store], name));

    /// <inheritdoc/>
    protected override ValueTask DeleteAsync()
    {
        _directory.Delete(recursive: true);
        return ValueTask.CompletedTask;
    }
}
