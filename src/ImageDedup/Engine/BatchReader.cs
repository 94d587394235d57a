using System.Threading.Channels;
using ImageDedup.Ingest;
using ImageDedup.Storage;
using Microsoft.Extensions.Logging;

namespace ImageDedup.Engine;

/// <summary>
/// The reading side of a batch ingest: takes the items in input order, opens and hashes up to
/// <c>parallelism</c> of them at once on the thread pool (every core), and hands each on in input
/// order, its read under way, within the <see cref="BatchBudget"/>. A failure to open or read an
/// item is that item's outcome; only the input sequence failing (or cancellation) ends the reading.
/// </summary>
internal sealed class BatchReader(IContentHasher hasher, ImageDedupOptions options, ILogger logger)
{
    public async Task RunAsync(IAsyncEnumerable<IngestItem> items, ChannelWriter<BatchItem> output, BatchBudget budget, int parallelism, CancellationToken cancellationToken)
    {
        using var slots = new SemaphoreSlim(parallelism, parallelism);
        var reads = new List<Task>();
        try
        {
            long index = 0;
            await foreach (var item in items.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                var entry = Prepare(index++, item);
                var reading = entry.Settled ? 0 : options.BufferSize;
                entry.Units = await budget.TakeAsync(reading, cancellationToken).ConfigureAwait(false);
                if (!entry.Settled)
                {
                    try
                    {
                        await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
                    }
                    catch
                    {
                        budget.Give(1, entry.Units);
                        throw;
                    }

                    // On the thread pool: a small file's whole read and hash would otherwise run here, one at a time.
                    entry.Read = Task.Run(() => ReadAsync(entry, slots, budget, cancellationToken), CancellationToken.None);
                    reads.Add(entry.Read);
                }

                // Unbounded, and never refused: the budget above is the bound, and the group commit
                // gives back what every item it takes holds.
                output.TryWrite(entry);
                reads.RemoveAll(r => r.IsCompleted);
            }

            output.TryComplete();
        }
        catch (Exception ex)
        {
            output.TryComplete(ex);
        }
        finally
        {
            // The slots are disposed on return: every read must have given its slot back first.
            await Task.WhenAll(reads).ConfigureAwait(false);
        }
    }

    /// <summary>The item with its request checked as single ingest checks it before reading; a bad request settles it.</summary>
    /// <exception cref="ArgumentNullException">The sequence yielded null: a caller's bug, not an item's fault, so it ends the batch.</exception>
    private static BatchItem Prepare(long index, IngestItem? item)
    {
        if (item is null)
        {
            throw new ArgumentNullException(nameof(item), $"The batch's item at index {index} is null.");
        }

        var entry = new BatchItem(index, item, item.Request ?? new IngestRequest());
        try
        {
            if (entry.Holder is { } holder)
            {
                Names.ValidateHolder(holder);
            }

            IngestRequestRules.Validate(entry.Request);
        }
        catch (ArgumentException ex)
        {
            entry.Fail(ex);
        }

        return entry;
    }

    private async Task ReadAsync(BatchItem entry, SemaphoreSlim slots, BatchBudget budget, CancellationToken cancellationToken)
    {
        try
        {
            var source = await entry.Item.OpenContent(cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException("The item's content factory returned no stream.");
            entry.Opened(source);
            if (!source.CanRead)
            {
                throw new ArgumentException("The content stream the item opened is not readable.");
            }

            var scanned = await ContentScanner.ScanAsync(source, ScanSettings.For(options, entry.Request), hasher, logger, cancellationToken).ConfigureAwait(false);
            scanned.Compact();
            entry.Scanned(scanned);
            if (entry.Request.DeclaredContentType is { } declared && !options.AllowAnyContent
                && !string.Equals(declared, scanned.ContentType, StringComparison.OrdinalIgnoreCase))
            {
                EngineLog.ContentTypeMismatch(logger, declared, scanned.ContentType);
            }

            // What it keeps in memory is what it holds from now on; a source read back stays open.
            var held = budget.Units(scanned.HeldBytes);
            budget.GiveUnits(entry.Units - held);
            entry.Units = held;
            if (!scanned.ReadsBackFromSource)
            {
                await entry.CloseSourceAsync().ConfigureAwait(false);
            }
        }
#pragma warning disable CA1031 // Whatever opening or reading one item throws is that item's outcome, as single ingest would throw it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            entry.Fail(ex);
            await entry.DisposeAsync().ConfigureAwait(false);
            budget.GiveUnits(entry.Units);
            entry.Units = 0;
        }
        finally
        {
            slots.Release();
        }
    }
}
