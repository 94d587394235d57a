using System.Runtime.ExceptionServices;
using ImageDedup.Cli.Output;
using ImageDedup.Cli.Walking;

namespace ImageDedup.Cli.Ingesting;

/// <summary>
/// Ingests the walked files as one batch (the library's group commit: one set of commits and one
/// flush per group of files, not per file), each under the holder key of its canonical path. A file
/// that is not an image, or cannot be read, is counted and reported and the run goes on; a store
/// that fails stops it.
/// </summary>
internal static class IngestRun
{
    public static async Task RunAsync(Catalogue catalogue, IReadOnlyList<WalkedFile> files, string holderPrefix, int jobs, IngestCounters counters, CancellationToken cancellationToken)
    {
        var items = new List<(IngestItem Item, WalkedFile File)>(files.Count);
        foreach (var file in files)
        {
            if (Prepare(file, holderPrefix, counters) is { } item)
            {
                items.Add((item, file));
            }
            else
            {
                counters.Done(file.Length);
            }
        }

        await foreach (var result in catalogue.IngestManyAsync(items.Select(i => i.Item), jobs, cancellationToken).ConfigureAwait(false))
        {
            var file = items[(int)result.Index].File;
            try
            {
                Record(file, result, counters);
            }
            finally
            {
                counters.Done(file.Length);
            }
        }
    }

    /// <summary>The file's item, or null when it is settled without being opened (counted here).</summary>
    private static IngestItem? Prepare(WalkedFile file, string holderPrefix, IngestCounters counters)
    {
        if (file.Length == 0)
        {
            // FIFOs, sockets and devices report no size too; opening a FIFO would block the run.
            counters.Skipped(new FileProblem(file.Path, ProblemKinds.Empty, "empty, or not a regular file"));
            return null;
        }

        var holder = HolderKeys.For(holderPrefix, file.CanonicalPath);
        if (holder.Length > HolderKeys.MaxLength)
        {
            counters.Failed(new FileProblem(file.Path, ProblemKinds.BadName, $"its holder key would be {holder.Length} characters; at most {HolderKeys.MaxLength} fit"));
            return null;
        }

        // The walk's length is what the file must still hold when it is read: a file that grew or
        // shrank since is reported as changed, not stored half-updated.
        return new IngestItem(
            _ => ValueTask.FromResult<Stream>(new FileStream(file.CanonicalPath, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.ReadWrite | FileShare.Delete,
                BufferSize = 0,
                Options = FileOptions.SequentialScan,
            })),
            new IngestRequest { Holder = holder, ExpectedLength = file.Length });
    }

    /// <summary>Counts one file's outcome; an error that is not the file's (the store failing) stops the run.</summary>
    private static void Record(WalkedFile file, IngestItemResult result, IngestCounters counters)
    {
        switch (result.Error)
        {
            case null:
                counters.Ingested(result.Result!.Original.Length, result.Result);
                break;
            case NotAnImageException:
                counters.Skipped(new FileProblem(file.Path, ProblemKinds.NotAnImage, "not a supported image"));
                break;
            case ImageTruncatedException ex:
                counters.Skipped(new FileProblem(file.Path, ProblemKinds.Truncated, ex.Message));
                break;
            case EmptyContentException:
                counters.Skipped(new FileProblem(file.Path, ProblemKinds.Empty, "empty"));
                break;
            case ContentTooLargeException ex:
                counters.Skipped(new FileProblem(file.Path, ProblemKinds.TooLarge, ex.Message));
                break;
            case BlockedContentException ex:
                counters.Refused(new FileProblem(file.Path, ProblemKinds.Blocked, ex.Message));
                break;
            case ContentIntegrityException ex:
                counters.Failed(new FileProblem(file.Path, ProblemKinds.Changed, $"changed while it was read: {ex.Message}"));
                break;
            case UnauthorizedAccessException ex:
                counters.Failed(new FileProblem(file.Path, ProblemKinds.Unreadable, ex.Message));
                break;
            case IOException ex when ex.Message.Contains(file.CanonicalPath, StringComparison.Ordinal):
                // A read of the file itself failed (the framework names the file); an I/O error of the
                // store (a full disk under blobs/) names another path and stops the run instead.
                counters.Failed(new FileProblem(file.Path, ProblemKinds.Unreadable, ex.Message));
                break;
            case { } error:
                ExceptionDispatchInfo.Throw(error);
                break;
        }
    }
}
