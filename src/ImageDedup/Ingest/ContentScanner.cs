using System.Buffers;
using ImageDedup.Engine;
using ImageDedup.Hashing;
using ImageDedup.Ingest.Structure;
using ImageDedup.Storage;
using Microsoft.Extensions.Logging;

namespace ImageDedup.Ingest;

/// <summary>
/// The one pass over an uploaded stream: sniff the format from the first chunk, enforce the size
/// limit as bytes arrive, hash every byte, follow the image's structure to refuse a file cut
/// short, and keep a way to read the bytes again — without a copy when the host's stream can
/// seek, in a pooled buffer when the content fits one chunk, in a
/// spool file otherwise.
/// </summary>
internal static class ContentScanner
{
    public static async Task<ScannedContent> ScanAsync(Stream source, ScanSettings settings, IContentHasher hasher, ILogger logger, CancellationToken cancellationToken)
    {
        var limit = settings.ExpectedLength is { } expected ? Math.Min(expected, settings.MaxBytes) : settings.MaxBytes;
        var rewindable = source.CanSeek;
        var start = rewindable ? source.Position : 0;
        if (rewindable && source.Length - start > settings.MaxBytes)
        {
            // The length is known up front: refuse before reading a byte.
            throw new ContentTooLargeException(settings.MaxBytes);
        }

        using var hash = hasher.CreateHash();
        var reader = new ChunkReader(source, settings.ChunkSize);
        FileStream? spool = null;
        byte[]? memory = null;
        try
        {
            string? contentType = null;
            StructureWalker? structure = null;
            long total = 0;
            await using (reader.ConfigureAwait(false))
            {
                while (true)
                {
                    var chunk = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                    if (chunk.IsEmpty)
                    {
                        break;
                    }

                    if (total == 0)
                    {
                        contentType = Classify(chunk.Span, settings);
                        structure = StructureWalker.For(chunk.Span);
                    }

                    total += chunk.Length;
                    if (total > limit)
                    {
                        throw total > settings.MaxBytes
                            ? new ContentTooLargeException(settings.MaxBytes)
                            : new ContentIntegrityException($"The content is longer than the {settings.ExpectedLength} bytes that were declared.");
                    }

                    hash.Append(chunk.Span);
                    structure?.Append(chunk.Span);

                    if (rewindable)
                    {
                        continue;
                    }

                    if (total == chunk.Length && chunk.Length < settings.ChunkSize)
                    {
                        // A first chunk shorter than a chunk is the whole content: keep it in memory.
                        memory = ArrayPool<byte>.Shared.Rent(chunk.Length);
                        chunk.CopyTo(memory);
                        continue;
                    }

                    spool ??= CreateSpool(settings.SpoolDirectory);
                    await spool.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
                }
            }

            if (total == 0)
            {
                throw new EmptyContentException();
            }

            if (settings.ExpectedLength is { } declared && total != declared)
            {
                throw new ContentIntegrityException($"The content ended after {total} bytes; {declared} were declared.");
            }

            var digest = hash.Finish();
            var type = contentType!;
            CheckStructure(structure, type, total, settings, logger);
            var scanned = memory is not null ? ScannedContent.FromMemory(digest, total, type, memory)
                : spool is not null ? ScannedContent.FromSpool(digest, total, type, spool)
                : ScannedContent.FromRewindable(digest, total, type, source, start);
            memory = null;
            spool = null;
            return scanned;
        }
        finally
        {
            if (memory is not null)
            {
                ArrayPool<byte>.Shared.Return(memory);
            }

            if (spool is not null)
            {
                await spool.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static void CheckStructure(StructureWalker? structure, string contentType, long length, ScanSettings settings, ILogger logger)
    {
        if (structure is null)
        {
            return;
        }

        var verdict = structure.Finish();
        EngineLog.StructureChecked(logger, contentType, length, verdict.Outcome, verdict.Detail);
        if (verdict.Outcome == StructureOutcome.Truncated && !settings.AllowTruncatedImages)
        {
            throw new ImageTruncatedException(contentType, length, verdict.Detail);
        }
    }

    private static string Classify(ReadOnlySpan<byte> head, ScanSettings settings)
    {
        var detected = ImageFormats.Detect(head[..Math.Min(head.Length, ImageFormats.SignatureWindow)]);
        if (detected is not null)
        {
            return detected;
        }

        if (!settings.AllowAnyContent)
        {
            throw new NotAnImageException(settings.DeclaredContentType);
        }

        return string.IsNullOrWhiteSpace(settings.DeclaredContentType) ? "application/octet-stream" : settings.DeclaredContentType;
    }

    private static FileStream CreateSpool(string directory)
    {
        // Delete-on-close: a crash leaves nothing for anyone to clean up.
        var path = Path.Combine(directory, $"imagededup-{Guid.NewGuid():N}.spool");
        return new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, bufferSize: 0, FileOptions.DeleteOnClose);
    }
}
