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
/// short, and keep a way to read the bytes again: the first chunk itself when it is the whole
/// content (most images), the host's stream rewound when it can seek, a spool file otherwise.
/// </summary>
/// <remarks>
/// The content is what the stream yields from its position to the first read that returns 0.
/// <see cref="Stream.Length"/> is never consulted: a seekable stream may count only what it has
/// buffered (FileBufferingReadStream), and any stream may report a stale or wrong length. A
/// rewound stream is read back through <see cref="DigestCheckingStream"/>, so bytes that differ
/// from those hashed (a stream that changed, or rewound somewhere else) fail the write instead of
/// being stored under the wrong digest.
/// </remarks>
internal static class ContentScanner
{
    public static async Task<ScannedContent> ScanAsync(Stream source, ScanSettings settings, IContentHasher hasher, ILogger logger, CancellationToken cancellationToken)
    {
        if (settings.ExpectedLength > settings.MaxBytes)
        {
            // The declared length is over the limit: refuse before reading a byte. (The stream's
            // own Length is never asked: it may be wrong, see the remarks.)
            throw new ContentTooLargeException(settings.MaxBytes);
        }

        var limit = settings.ExpectedLength is { } expected ? Math.Min(expected, settings.MaxBytes) : settings.MaxBytes;
        var start = RewindPoint(source);

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

                    var first = total == 0;
                    if (first)
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

                    if (first && chunk.Length < settings.ChunkSize)
                    {
                        // A short first chunk is the whole content (the reader saw the end): keep
                        // its pooled buffer, no copy, and never read the host's stream again.
                        memory = reader.DetachCurrent();
                        continue;
                    }

                    if (start is not null)
                    {
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
                : ScannedContent.FromRewindable(digest, total, type, source, start!.Value);
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

    /// <summary>
    /// Where to rewind the host's stream to for the second read, or null when it cannot be
    /// rewound: it does not seek, or its position cannot be read or set. Setting the position to
    /// itself costs nothing on a stream that really seeks and finds, before a byte is consumed,
    /// one that only says it does; the content is then spooled instead.
    /// </summary>
    private static long? RewindPoint(Stream source)
    {
        if (!source.CanSeek)
        {
            return null;
        }

        try
        {
            var position = source.Position;
            source.Position = position;
            return position;
        }
        catch (Exception ex) when (ex is NotSupportedException or IOException)
        {
            return null;
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
