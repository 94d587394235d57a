using System.Buffers;
using ImageDedup.Storage;
using Microsoft.Extensions.Logging;

namespace ImageDedup.FileSystem;

/// <summary>
/// Writes one blob atomically: copy into a temp file in the staging folder, check the length,
/// flush, rename into place, flush the directory. Any failure removes what it wrote.
/// </summary>
internal sealed class BlobFileWriter(BlobPaths paths, StagingArea staging, bool flushToDisk, ILogger logger)
{
    /// <summary>
    /// The copy buffer, rented from the shared pool. 1 MiB: each read of a synchronously opened
    /// source is a thread-pool hop, and at 80 KiB those hops cost about 5 ms per 16 MiB blob.
    /// </summary>
    internal const int BufferSize = 1 << 20;

    public async Task WriteAsync(string key, string target, Stream content, BlobMetadata metadata, CancellationToken cancellationToken)
    {
        DurableDirectory.Create(staging.Path, flushToDisk, logger);
        paths.RefuseLinks(staging.Path);
        var temp = staging.NewTempPath();
        var moved = false;
        try
        {
            await CopyToTempAsync(temp, content, metadata.Length, cancellationToken).ConfigureAwait(false);

            var directory = Path.GetDirectoryName(target)!;
            DurableDirectory.Create(directory, flushToDisk, logger);
            paths.RefuseLinks(target);
            cancellationToken.ThrowIfCancellationRequested();

            File.Move(temp, target, overwrite: true);
            moved = true;
            if (flushToDisk)
            {
                DirectoryFlush.Flush(directory);
            }

            Log.BlobWritten(logger, key, metadata.Length, target);
        }
        catch (Exception ex)
        {
            Remove(moved ? target : temp, logger);
            Log.WriteAbandoned(logger, key, temp, ex);
            throw;
        }
    }

    private async Task CopyToTempAsync(string temp, Stream content, long expected, CancellationToken cancellationToken)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            Options = FileOptions.Asynchronous,
            BufferSize = 0, // The copy buffer is large; a second one would only add a copy.
            PreallocationSize = expected,
        };

        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            var file = new FileStream(temp, options);
            await using var fileScope = file.ConfigureAwait(false);
            long total = 0;
            int read;
            while ((read = await content.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                total += read;
                if (total > expected)
                {
                    throw new ContentIntegrityException($"The content stream holds more than the declared {expected} bytes.");
                }

                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }

            if (total != expected)
            {
                throw new ContentIntegrityException($"The content stream ended after {total} of the declared {expected} bytes.");
            }

            if (flushToDisk)
            {
                file.Flush(flushToDisk: true);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Deletes what a failed write left; a failure to do so is logged (reconcile removes it later).</summary>
    internal static void Remove(string path, ILogger logger)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.CleanupFailed(logger, path, ex);
        }
    }
}
