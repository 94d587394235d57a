using System.Buffers;
using ImageDedup.Storage;
using Microsoft.Extensions.Logging;

namespace ImageDedup.FileSystem;

/// <summary>
/// Writes one blob for a batch (<see cref="FileSystemBlobStore.WriteWithoutFlushAsync"/>) straight
/// to its own path, with no flush and no staging file: the key is new (keys are never reused) and
/// named by a pending row committed before the write, so a torn file a crash leaves under it is
/// removed with that row by reconcile, and nothing else can read it meanwhile. A rename from the
/// staging folder would take the file system's cross-directory rename lock once per blob, which a
/// batch of small images pays for in time; the one flush of the batch (<see cref="FileSystemFlush"/>)
/// makes the files and their new directories durable together. Any failure removes the file.
/// </summary>
internal sealed class UnflushedBlobWriter(BlobPaths paths, ILogger logger)
{
    public async Task WriteAsync(string key, string target, Stream content, BlobMetadata metadata, CancellationToken cancellationToken)
    {
        DurableDirectory.Create(Path.GetDirectoryName(target)!, flushToDisk: false, logger);
        paths.RefuseLinks(target);
        cancellationToken.ThrowIfCancellationRequested();

        // Synchronous writes: a batch writes from thread-pool workers already, and small blobs would
        // otherwise pay a thread-pool hop per write and per close.
        var file = new FileStream(target, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            BufferSize = 0,
            PreallocationSize = metadata.Length,
        });
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(metadata.Length + 1, BlobFileWriter.BufferSize));
        try
        {
            await using (file.ConfigureAwait(false))
            {
                long total = 0;
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    total += read;
                    if (total > metadata.Length)
                    {
                        throw new ContentIntegrityException($"The content stream holds more than the declared {metadata.Length} bytes.");
                    }

                    file.Write(buffer, 0, read);
                }

                if (total != metadata.Length)
                {
                    throw new ContentIntegrityException($"The content stream ended after {total} of the declared {metadata.Length} bytes.");
                }
            }

            Log.BlobWritten(logger, key, metadata.Length, target);
        }
        catch (Exception ex)
        {
            BlobFileWriter.Remove(target, logger);
            Log.WriteAbandoned(logger, key, target, ex);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
