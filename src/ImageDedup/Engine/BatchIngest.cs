using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace ImageDedup.Engine;

/// <summary>
/// Batch ingest with group commit (<see cref="IImageDedupScope.IngestManyAsync"/>): a
/// <see cref="BatchReader"/> opens and hashes items on every core, in input order, within a
/// <see cref="BatchBudget"/>; this loop takes whatever has been read by the time the previous group
/// committed (up to <see cref="IngestManyOptions.MaxItemsPerCommit"/>, no holder twice) as the next
/// group, has a <see cref="GroupCommit"/> settle it, and yields its results in input order. While a
/// group waits on its commits and its flush, the next one is being read.
/// </summary>
internal sealed class BatchIngest(BatchReader reader, GroupCommit commit, CatalogueOwnership ownership, ImageDedupOptions options, ImageDedupTelemetry telemetry, ILogger logger)
{
    /// <summary>
    /// Content kept in memory while items wait for their group: at least this much (a group holds at
    /// most half of it), more when two chunks per reader would not fit.
    /// </summary>
    internal const long MemoryBudget = 128L << 20;

    /// <summary>How long a group being gathered waits for the reader's next item before it commits without it.</summary>
    internal static readonly TimeSpan ReadStall = TimeSpan.FromMilliseconds(5);

    /// <summary>The most items one group may take.</summary>
    internal const int MaxItemsPerCommit = 10_000;

    /// <summary>Checks the arguments at once, then returns the lazy enumeration.</summary>
    public IAsyncEnumerable<IngestItemResult> Start(string scope, IAsyncEnumerable<IngestItem> items, IngestManyOptions? batchOptions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        batchOptions ??= new IngestManyOptions();
        var parallelism = batchOptions.MaxDegreeOfParallelism ?? Environment.ProcessorCount;
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelism, 1, nameof(IngestManyOptions.MaxDegreeOfParallelism));
        ArgumentOutOfRangeException.ThrowIfLessThan(batchOptions.MaxItemsPerCommit, 1, nameof(IngestManyOptions.MaxItemsPerCommit));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(batchOptions.MaxItemsPerCommit, MaxItemsPerCommit, nameof(IngestManyOptions.MaxItemsPerCommit));
        return RunAsync(scope, items, parallelism, batchOptions.MaxItemsPerCommit, cancellationToken);
    }

    private async IAsyncEnumerable<IngestItemResult> RunAsync(string scope, IAsyncEnumerable<IngestItem> items, int parallelism, int maxPerGroup, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Before anything is written: a catalogue that does not own its blob store must not even
        // leave a pending row behind.
        await ownership.EnsureAsync(cancellationToken).ConfigureAwait(false);
        using var operation = telemetry.Start("ingest_many");

        // Twice a group in flight: one committing while the next is read. Each item may hold a file
        // open until its group commits; each in-memory image holds its bytes.
        var memory = Math.Max(MemoryBudget, (long)options.BufferSize * 2 * (parallelism + 2));
        using var budget = new BatchBudget(2 * maxPerGroup, memory);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var channel = Channel.CreateUnbounded<BatchItem>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var reading = Task.Run(() => reader.RunAsync(items, channel.Writer, budget, parallelism, stop.Token), CancellationToken.None);
        var writeConcurrency = Math.Clamp(parallelism * 4, 4, 16);
        long settled = 0, failed = 0;
        var groups = 0;
        List<BatchItem> group = [];
        try
        {
            while (await channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                group = await NextGroupAsync(channel.Reader, maxPerGroup, budget.GroupUnits).ConfigureAwait(false);
                groups++;
                var completed = await commit.RunAsync(scope, group, writeConcurrency, cancellationToken).ConfigureAwait(false);
                var cancelled = !completed || cancellationToken.IsCancellationRequested;
                foreach (var item in group)
                {
                    // After a cancellation, an item the group never reached, or whose read was
                    // stopped by it, has no outcome to report.
                    if (item.Result is not null || (item.Error is { } error && !(cancelled && error is OperationCanceledException)))
                    {
                        settled++;
                        failed += item.Error is null ? 0 : 1;
                        yield return item.ToResult();
                    }
                }

                await ReleaseAsync(group, budget).ConfigureAwait(false);
                group = [];
                if (cancelled)
                {
                    throw new OperationCanceledException(cancellationToken);
                }
            }

            operation.Complete();
        }
        finally
        {
            // Reached also when the caller stops enumerating: stop reading, then give back what the
            // group and the items read ahead hold (their streams, their memory).
            await stop.CancelAsync().ConfigureAwait(false);
            await reading.ConfigureAwait(false);
            await ReleaseAsync(group, budget).ConfigureAwait(false);
            while (channel.Reader.TryRead(out var ahead))
            {
                await ahead.Read.ConfigureAwait(false);
                await ahead.DisposeAsync().ConfigureAwait(false);
            }

            BatchIngestLog.Finished(logger, scope, settled, failed, groups);
        }
    }

    /// <summary>
    /// The next group: the first item waiting (once it has been read), then the items behind it, in
    /// order, while they keep coming — each read within <see cref="ReadStall"/> of the one before —
    /// up to <paramref name="maxPerGroup"/> items and <paramref name="maxUnits"/> of memory. So a group
    /// takes what the reader has ready and what it is about to finish, and a first group does not
    /// commit one item alone (paying a flush for it) while the reader is a few milliseconds from the
    /// rest; an input that trickles in still commits without waiting more than that for each item.
    /// It ends before a holder the group already names, which keeps "a holder named twice ends at the
    /// later item" true (the later one commits in a later group).
    /// </summary>
    private static async Task<List<BatchItem>> NextGroupAsync(ChannelReader<BatchItem> waiting, int maxPerGroup, int maxUnits)
    {
        var group = new List<BatchItem>();
        var holders = new HashSet<string>(StringComparer.Ordinal);
        var units = 0;
        while (group.Count < maxPerGroup)
        {
            if (!waiting.TryPeek(out var next)
                && (group.Count == 0 || !await ArrivesAsync(waiting.WaitToReadAsync().AsTask()).ConfigureAwait(false) || !waiting.TryPeek(out next)))
            {
                break;
            }

            if (group.Count > 0 && !next.Read.IsCompleted && !await ArrivesAsync(next.Read).ConfigureAwait(false))
            {
                break;
            }

            await next.Read.ConfigureAwait(false);
            if ((group.Count > 0 && units + next.Units > maxUnits) || (next.Holder is { } holder && !holders.Add(holder)))
            {
                break;
            }

            waiting.TryRead(out _);
            group.Add(next);
            units += next.Units;
        }

        return group;
    }

    /// <summary>Whether <paramref name="work"/> completes within <see cref="ReadStall"/>.</summary>
    private static async Task<bool> ArrivesAsync(Task work)
    {
        using var stall = new CancellationTokenSource();
        var first = await Task.WhenAny(work, Task.Delay(ReadStall, stall.Token)).ConfigureAwait(false);
        await stall.CancelAsync().ConfigureAwait(false);
        if (first != work)
        {
            return false;
        }

        // A reader that failed completes the queue with its exception: the main loop reports it.
        _ = work.Exception;
        return true;
    }

    private static async Task ReleaseAsync(List<BatchItem> group, BatchBudget budget)
    {
        foreach (var item in group)
        {
            await item.DisposeAsync().ConfigureAwait(false);
            budget.Give(1, item.Units);
            item.Units = 0;
        }
    }
}
