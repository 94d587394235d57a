using System.Collections.Concurrent;
using ImageDedup.Cli.Output;

namespace ImageDedup.Cli.Ingesting;

/// <summary>What an ingest run has done so far; updated by every worker, read by the progress display.</summary>
internal sealed class IngestCounters
{
    private readonly ConcurrentDictionary<Guid, byte> _originals = new();
    private readonly ConcurrentQueue<FileProblem> _unreported = new();
    private readonly ConcurrentQueue<FileProblem> _problems = new();
    private int _filesDone;
    private long _bytesDone;
    private int _ingested;
    private int _newOriginals;
    private int _duplicates;
    private int _unchanged;
    private int _referencesAdded;
    private long _bytesStored;
    private long _bytesSaved;
    private int _nonImages;
    private int _tooLarge;
    private int _unreadable;
    private int _blocked;

    public int FilesDone => Volatile.Read(ref _filesDone);

    public long BytesDone => Interlocked.Read(ref _bytesDone);

    public int Unreadable => Volatile.Read(ref _unreadable);

    public int Blocked => Volatile.Read(ref _blocked);

    public IReadOnlyList<FileProblem> Problems => [.. _problems];

    public void Ingested(long length, IngestResult result)
    {
        _originals.TryAdd(result.Original.Id, 0);
        Interlocked.Increment(ref _ingested);
        if (result.ReferenceAdded)
        {
            Interlocked.Increment(ref _referencesAdded);
        }

        if (result.StoredNewBytes)
        {
            Interlocked.Increment(ref _newOriginals);
            Interlocked.Add(ref _bytesStored, length);
        }
        else if (result.ReferenceAdded)
        {
            Interlocked.Increment(ref _duplicates);
            Interlocked.Add(ref _bytesSaved, length);
        }
        else
        {
            // The holder already pointed at these bytes: a re-run over an unchanged file.
            Interlocked.Increment(ref _unchanged);
        }
    }

    public void Skipped(FileProblem problem)
    {
        Interlocked.Increment(ref problem.Kind == ProblemKinds.TooLarge ? ref _tooLarge : ref _nonImages);
        Report(problem);
    }

    public void Failed(FileProblem problem)
    {
        Interlocked.Increment(ref _unreadable);
        Report(problem);
    }

    /// <summary>A file whose bytes the store refuses (blocked): reported, and the run ends with exit 1.</summary>
    public void Refused(FileProblem problem)
    {
        Interlocked.Increment(ref _blocked);
        Report(problem);
    }

    public void Done(long length)
    {
        Interlocked.Add(ref _bytesDone, length);
        Interlocked.Increment(ref _filesDone);
    }

    /// <summary>Problems not yet shown by the display, oldest first.</summary>
    public IEnumerable<FileProblem> TakeUnreported()
    {
        while (_unreported.TryDequeue(out var problem))
        {
            yield return problem;
        }
    }

    public IngestSummary Summary(int filesSeen, int linksFollowed, int reachedAgain, TimeSpan elapsed) => new(
        filesSeen,
        _ingested,
        _newOriginals,
        _originals.Count,
        _duplicates,
        _unchanged,
        _referencesAdded,
        BytesDone,
        _bytesStored,
        _bytesSaved,
        _nonImages,
        _tooLarge,
        _unreadable,
        _blocked,
        linksFollowed,
        reachedAgain,
        Math.Round(elapsed.TotalSeconds, 3));

    private void Report(FileProblem problem)
    {
        _problems.Enqueue(problem);
        _unreported.Enqueue(problem);
    }
}
