namespace ImageDedup.FileSystem;

/// <summary>Settings of the file-system blob store.</summary>
public sealed class FileSystemBlobStoreOptions
{
    /// <summary>
    /// The directory that holds the blobs. Required. A relative path is resolved against the
    /// current directory once, when the store starts. The directory is created on first write.
    /// It must lie on one file system (including its <c>.staging</c> folder), so that a rename
    /// inside it is atomic.
    /// </summary>
    public string RootPath { get; set; } = string.Empty;

    /// <summary>
    /// Whether every write and delete is flushed to the disk: the file's bytes before it is
    /// renamed into place, and each directory whose entries changed. Default <see langword="true"/>.
    /// Turn it off only for caches or tests that may lose recent writes on a power loss.
    /// </summary>
    public bool FlushToDisk { get; set; } = true;
}
