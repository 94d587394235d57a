using System.IO.Enumeration;
using System.Runtime.CompilerServices;
using ImageDedup.Storage;
using ImageDedup.Shared;
using Microsoft.Extensions.Logging;

namespace ImageDedup.FileSystem;

/// <summary>
/// Stores each blob as the file <c>root/key</c>; the key's own segments shard the directories.
/// Writes go through <c>root/.staging</c> and an atomic rename, so a key is either absent or complete.
/// <c>root/.imagededup/owner</c> names the catalogue the root belongs to. Listings skip both
/// folders and every file whose path is not a well-formed key.
/// </summary>
internal sealed class FileSystemBlobStore : IBlobStore
{
    private const int ListingPageSize = 1000;

    private readonly BlobPaths _paths;
    private readonly StagingArea _staging;
    private readonly BlobFileWriter _writer;
    private readonly UnflushedBlobWriter _unflushed;
    private readonly OwnershipFile _ownership;
    private readonly bool _flushToDisk;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    /// <summary>Creates a store; the root directory is created on first write.</summary>
    /// <exception cref="ArgumentException">The options name no usable root.</exception>
    internal FileSystemBlobStore(FileSystemBlobStoreOptions options, ILogger<FileSystemBlobStore> logger, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        if (FileSystemBlobStoreOptionsValidator.Check(options) is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        _paths = new BlobPaths(options.RootPath);
        _staging = new StagingArea(_paths.Staging);
        _flushToDisk = options.FlushToDisk;
        _logger = logger;
        _time = timeProvider ?? TimeProvider.System;
        _writer = new BlobFileWriter(_paths, _staging, _flushToDisk, logger);
        _unflushed = new UnflushedBlobWriter(_paths, logger);
        _ownership = new OwnershipFile(_paths, _staging, _flushToDisk, logger);
    }

    /// <summary>The absolute root directory.</summary>
    internal string RootPath => _paths.Root;

    /// <summary>The folder that holds temp files while they are written.</summary>
    internal string StagingPath => _staging.Path;

    /// <inheritdoc/>
    public Task WriteAsync(string key, Stream content, BlobMetadata metadata, CancellationToken cancellationToken = default)
        => _writer.WriteAsync(key, WriteTarget(key, content, metadata, cancellationToken), content, metadata, cancellationToken);

    /// <summary>
    /// Writes the blob straight to its path, without a staging file or any flush (see
    /// <see cref="UnflushedBlobWriter"/>); <see cref="FlushAsync"/> makes it durable.
    /// </summary>
    public Task WriteWithoutFlushAsync(string key, Stream content, BlobMetadata metadata, CancellationToken cancellationToken = default)
        => _unflushed.WriteAsync(key, WriteTarget(key, content, metadata, cancellationToken), content, metadata, cancellationToken);

    /// <summary>
    /// Flushes what <see cref="WriteWithoutFlushAsync"/> left in the page cache: on Linux one
    /// <c>syncfs</c> of the root's file system, which also commits every rename and new directory;
    /// elsewhere each blob's file and each directory from it up to the root (see <see cref="FileSystemFlush"/>).
    /// </summary>
    public Task FlushAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var paths = keys.Select(_paths.Resolve).ToList();
        cancellationToken.ThrowIfCancellationRequested();
        if (!_flushToDisk || paths.Count == 0)
        {
            return Task.CompletedTask;
        }

        return Task.Run(
            () =>
            {
                if (FileSystemFlush.TrySyncFileSystem(_paths.Root))
                {
                    Log.FileSystemFlushed(_logger, paths.Count, _paths.Root);
                    return;
                }

                var directories = new HashSet<string>(StringComparer.Ordinal) { _paths.Root, _staging.Path };
                foreach (var path in paths)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    FileSystemFlush.FlushFile(path);
                    for (var directory = Path.GetDirectoryName(path); directory is not null && directory.Length > _paths.Root.Length; directory = Path.GetDirectoryName(directory))
                    {
                        directories.Add(directory);
                    }
                }

                foreach (var directory in directories.Where(Directory.Exists))
                {
                    DirectoryFlush.Flush(directory);
                }

                Log.FilesFlushed(_logger, paths.Count, directories.Count);
            },
            cancellationToken);
    }

    /// <summary>The checks of a write, before anything is touched; the full path of the key.</summary>
    private string WriteTarget(string key, Stream content, BlobMetadata metadata, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentOutOfRangeException.ThrowIfNegative(metadata.Length, nameof(metadata));
        var target = _paths.Resolve(key);
        cancellationToken.ThrowIfCancellationRequested();
        return target;
    }

    /// <inheritdoc/>
    public Task<Stream> OpenReadAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        var path = _paths.Resolve(key);
        if (range is { } r)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(r.Offset, nameof(range));
            if (r.Length is { } requested)
            {
                ArgumentOutOfRangeException.ThrowIfNegative(requested, nameof(range));
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        var file = OpenFile(key, path);
        try
        {
            var length = file.Length;
            if (range is not { } slice)
            {
                Log.BlobOpened(_logger, key, 0, length);
                return Task.FromResult<Stream>(file);
            }

            if (slice.Offset > length)
            {
                throw new ArgumentOutOfRangeException(nameof(range), slice.Offset, $"The range starts at {slice.Offset}, beyond the end of the {length}-byte blob '{key}'.");
            }

            var available = length - slice.Offset;
            var count = slice.Length is { } wanted ? Math.Min(wanted, available) : available;
            file.Seek(slice.Offset, SeekOrigin.Begin);
            Log.BlobOpened(_logger, key, slice.Offset, count);
            return Task.FromResult<Stream>(new RangeReadStream(file, count));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = _paths.Resolve(key);
        cancellationToken.ThrowIfCancellationRequested();
        var existed = File.Exists(path);
        if (existed)
        {
            try
            {
                File.Delete(path);
            }
            catch (DirectoryNotFoundException)
            {
                existed = false;
            }

            if (_flushToDisk)
            {
                DirectoryFlush.Flush(Path.GetDirectoryName(path)!);
            }
        }

        Log.BlobDeleted(_logger, key, existed);
        return Task.FromResult(existed);
    }

    /// <inheritdoc/>
    public Task<BlobProperties?> GetPropertiesAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = _paths.Resolve(key);
        cancellationToken.ThrowIfCancellationRequested();
        var info = new FileInfo(path);
        return Task.FromResult(info.Exists
            ? new BlobProperties(key, info.Length, new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero))
            : null);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<BlobProperties> ListAsync(string? prefix = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var start = _paths.ListingStart(prefix);
        if (start is null || !Directory.Exists(start))
        {
            yield break;
        }

        using var entries = Enumerate(start).GetEnumerator();
        while (true)
        {
            var page = await Task.Run(() => NextPage(entries, prefix, cancellationToken), cancellationToken).ConfigureAwait(false);
            foreach (var blob in page)
            {
                yield return blob;
            }

            if (page.Count < ListingPageSize)
            {
                yield break;
            }
        }
    }

    /// <inheritdoc/>
    public Task ClaimOwnershipAsync(Guid catalogueId, CancellationToken cancellationToken = default)
        => _ownership.ClaimAsync(catalogueId, cancellationToken);

    /// <summary>Temp files in the staging folder last written more than <paramref name="olderThan"/> ago.</summary>
    internal IReadOnlyList<StagingFile> ListStagingFiles(TimeSpan olderThan)
        => _staging.ListOlderThan(_time.GetUtcNow() - olderThan);

    /// <summary>
    /// Deletes temp files last written more than <paramref name="olderThan"/> ago: writes that a
    /// crash interrupted. Use an age far above the longest write, so no live write loses its file.
    /// </summary>
    /// <returns>How many files were deleted.</returns>
    public Task<int> DeleteIncompleteWritesAsync(TimeSpan olderThan, CancellationToken cancellationToken = default)
    {
        var cutoff = _time.GetUtcNow() - olderThan;
        var deleted = 0;
        foreach (var file in _staging.ListOlderThan(cutoff))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (File.Exists(file.Path))
            {
                File.Delete(file.Path);
                deleted++;
            }
        }

        if (deleted > 0 && _flushToDisk)
        {
            DirectoryFlush.Flush(_staging.Path);
        }

        Log.StagingSwept(_logger, deleted, cutoff);
        return Task.FromResult(deleted);
    }

    private static FileStream OpenFile(string key, string path)
    {
        try
        {
            return new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.Read | FileShare.Delete,
                Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
            });
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BlobNotFoundException(key, ex);
        }
        catch (UnauthorizedAccessException ex) when (Directory.Exists(path))
        {
            throw new BlobNotFoundException(key, ex);
        }
    }

    private static List<BlobProperties> NextPage(IEnumerator<BlobProperties?> entries, string? prefix, CancellationToken cancellationToken)
    {
        var page = new List<BlobProperties>();
        while (page.Count < ListingPageSize && entries.MoveNext())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (entries.Current is { } blob && (prefix is null || blob.Key.StartsWith(prefix, StringComparison.Ordinal)))
            {
                page.Add(blob);
            }
        }

        return page;
    }

    private FileSystemEnumerable<BlobProperties?> Enumerate(string start)
    {
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            AttributesToSkip = FileAttributes.ReparsePoint, // Never follow or list links; hidden files are blobs too.
            IgnoreInaccessible = true,
        };

        return new FileSystemEnumerable<BlobProperties?>(
            start,
            (ref FileSystemEntry entry) => _paths.KeyOf(entry.ToFullPath()) is { } key
                ? new BlobProperties(key, entry.Length, entry.LastWriteTimeUtc)
                : null,
            options)
        {
            ShouldIncludePredicate = (ref FileSystemEntry entry) => !entry.IsDirectory,
            ShouldRecursePredicate = (ref FileSystemEntry entry) => !IsReservedFolder(ref entry),
        };
    }

    private bool IsReservedFolder(ref FileSystemEntry entry)
        => (entry.FileName.SequenceEqual(BlobPaths.StagingFolderName) || entry.FileName.SequenceEqual(OwnershipMarker.FolderName))
            && Path.TrimEndingDirectorySeparator(entry.Directory).SequenceEqual(_paths.Root);
}
