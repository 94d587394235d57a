using Microsoft.Extensions.Logging.Abstractions;

namespace ImageDedup.FileSystem.Tests;

internal static class Stores
{
    /// <summary>A store over <paramref name="rootPath"/> without DI, flushing to disk as in production.</summary>
    public static FileSystemBlobStore Create(string rootPath, bool flushToDisk = true, TimeProvider? time = null)
        => new(new FileSystemBlobStoreOptions { RootPath = rootPath, FlushToDisk = flushToDisk }, NullLogger<FileSystemBlobStore>.Instance, time);
}
