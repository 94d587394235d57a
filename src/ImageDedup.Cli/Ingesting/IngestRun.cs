using ImageDedup.Cli.Output;
using ImageDedup.Cli.Walking;

namespace ImageDedup.Cli.Ingesting;

/// <summary>
/// Ingests the walked files, a bounded number at a time, each under the holder key of its
/// canonical path. A file that is not an image, or cannot be read, is counted and reported and
/// the run goes on; a store that fails stops it.
/// </summary>
internal static class IngestRun
{
    public static Task RunAsync(Catalogue catalogue, IReadOnlyList<WalkedFile> files, string holderPrefix, int jobs, IngestCounters counters, CancellationToken cancellationToken)
        => Parallel.ForEachAsync(
            files,
            new ParallelOptions { MaxDegreeOfParallelism = jobs, CancellationToken = cancellationToken },
            async (file, token) =>
            {
                try
                {
                    await IngestAsync(catalogue, file, holderPrefix, counters, token).ConfigureAwait(false);
                }
                finally
                {
                    counters.Done(file.Length);
                }
            });

    private static async Task IngestAsync(Catalogue catalogue, WalkedFile file, string holderPrefix, IngestCounters counters, CancellationToken cancellationToken)
    {
        if (file.Length == 0)
        {
            // FIFOs, sockets and devices report no size too; opening a FIFO would block the run.
            counters.Skipped(new FileProblem(file.Path, ProblemKinds.Empty, "empty, or not a regular file"));
            return;
        }

        var holder = HolderKeys.For(holderPrefix, file.CanonicalPath);
        if (holder.Length > HolderKeys.MaxLength)
        {
            counters.Failed(new FileProblem(file.Path, ProblemKinds.BadName, $"its holder key would be {holder.Length} characters; at most {HolderKeys.MaxLength} fit"));
            return;
        }

        FileStream stream;
        try
        {
            stream = new FileStream(file.CanonicalPath, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.ReadWrite | FileShare.Delete,
                BufferSize = 0,
                Options = FileOptions.SequentialScan,
            });
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            counters.Failed(new FileProblem(file.Path, ProblemKinds.Unreadable, ex.Message));
            return;
        }

        try
        {
            await using (stream.ConfigureAwait(false))
            {
                var result = await catalogue.IngestAsync(stream, holder, cancellationToken).ConfigureAwait(false);
                counters.Ingested(result.Original.Length, result);
            }
        }
        catch (NotAnImageException)
        {
            counters.Skipped(new FileProblem(file.Path, ProblemKinds.NotAnImage, "not a supported image"));
        }
        catch (EmptyContentException)
        {
            counters.Skipped(new FileProblem(file.Path, ProblemKinds.Empty, "empty"));
        }
        catch (ContentTooLargeException ex)
        {
            counters.Skipped(new FileProblem(file.Path, ProblemKinds.TooLarge, ex.Message));
        }
        catch (BlockedContentException ex)
        {
            counters.Refused(new FileProblem(file.Path, ProblemKinds.Blocked, ex.Message));
        }
        catch (ContentIntegrityException ex)
        {
            counters.Failed(new FileProblem(file.Path, ProblemKinds.Changed, $"changed while it was read: {ex.Message}"));
        }
        catch (IOException ex) when (ex.Message.Contains(file.CanonicalPath, StringComparison.Ordinal))
        {
            // A read of the file itself failed (the framework names the file); an I/O error of the
            // store (a full disk under blobs/) names another path and stops the run instead.
            counters.Failed(new FileProblem(file.Path, ProblemKinds.Unreadable, ex.Message));
        }
    }
}
