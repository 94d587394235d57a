using Microsoft.Extensions.Logging;

namespace ImageDedup.FileSystem;

/// <summary>The file-system blob store's log messages.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Debug, "Wrote blob {Key} ({Length} bytes) to {Path}")]
    public static partial void BlobWritten(ILogger logger, string key, long length, string path);

    [LoggerMessage(2, LogLevel.Debug, "Opened blob {Key} for reading (offset {Offset}, {Length} bytes)")]
    public static partial void BlobOpened(ILogger logger, string key, long offset, long length);

    [LoggerMessage(3, LogLevel.Debug, "Deleted blob {Key}: existed {Existed}")]
    public static partial void BlobDeleted(ILogger logger, string key, bool existed);

    [LoggerMessage(4, LogLevel.Debug, "Write of blob {Key} failed; removed its temp file {TempPath}")]
    public static partial void WriteAbandoned(ILogger logger, string key, string tempPath, Exception exception);

    [LoggerMessage(5, LogLevel.Warning, "Could not remove {Path} after a failed write; reconcile will remove it later")]
    public static partial void CleanupFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(6, LogLevel.Debug, "Created directory {Path}")]
    public static partial void DirectoryCreated(ILogger logger, string path);

    [LoggerMessage(7, LogLevel.Debug, "Deleted {Count} staging files older than {Cutoff}")]
    public static partial void StagingSwept(ILogger logger, int count, DateTimeOffset cutoff);

    [LoggerMessage(8, LogLevel.Information, "Claimed the blob store at {Root} for catalogue {CatalogueId}")]
    public static partial void OwnershipClaimed(ILogger logger, string root, Guid catalogueId);

    [LoggerMessage(9, LogLevel.Debug, "Flushed {Count} blobs written without flush with one syncfs of the file system of {Root}")]
    public static partial void FileSystemFlushed(ILogger logger, int count, string root);

    [LoggerMessage(10, LogLevel.Debug, "Flushed {Count} blobs written without flush file by file, and {Directories} directories")]
    public static partial void FilesFlushed(ILogger logger, int count, int directories);
}
