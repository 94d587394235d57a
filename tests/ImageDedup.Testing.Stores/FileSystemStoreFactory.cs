using System.Reflection;
using ImageDedup.FileSystem;
using ImageDedup.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace ImageDedup.Testing.Stores;

/// <summary>File-system blob stores, each under its own root in one temporary directory.</summary>
public sealed class FileSystemStoreFactory : StoreFactory<IBlobStore>, IStoreFactory<IBlobStore>
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("imagededup-fs-");

    /// <inheritdoc/>
    public static Assembly Provider => typeof(FileSystemBlobStoreOptions).Assembly;

    /// <inheritdoc/>
    public override Task<IBlobStore> CreateAsync()
        => Task.FromResult(Build(b => b.UseFileSystem(Path.Combine(_directory.FullName, Guid.NewGuid().ToString("N")))));

    /// <inheritdoc/>
    protected override ValueTask DeleteAsync()
    {
        _directory.Delete(recursive: true);
        return ValueTask.CompletedTask;
    }
}
