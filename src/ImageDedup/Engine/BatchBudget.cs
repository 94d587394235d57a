namespace ImageDedup.Engine;

/// <summary>
/// What a batch ingest may hold at once: a number of items in flight (each may keep a file open
/// until its group commits) and bytes of content kept in memory, counted in 64 KiB units; a group
/// takes at most half of either. One reader takes, in input order; the group commit gives back. An
/// item that needs more than the whole budget takes all of it, alone.
/// </summary>
internal sealed class BatchBudget : IDisposable
{
    private const int UnitSize = 64 * 1024;

    private readonly SemaphoreSlim _items;
    private readonly SemaphoreSlim _units;
    private readonly int _totalUnits;

    public BatchBudget(int maxItems, long maxBytes)
    {
        _items = new SemaphoreSlim(maxItems, maxItems);
        _totalUnits = checked((int)Math.Max(1, maxBytes / UnitSize));
        _units = new SemaphoreSlim(_totalUnits, _totalUnits);
    }

    /// <summary>Takes one item and room for <paramref name="bytes"/> in memory; returns the units taken.</summary>
    public async Task<int> TakeAsync(long bytes, CancellationToken cancellationToken)
    {
        await _items.WaitAsync(cancellationToken).ConfigureAwait(false);
        var wanted = Units(bytes);
        var taken = 0;
        try
        {
            // One reader takes at a time, so taking unit by unit never deadlocks with another taker.
            for (; taken < wanted; taken++)
            {
                await _units.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            return taken;
        }
        catch
        {
            Give(1, taken);
            throw;
        }
    }

    /// <summary>Gives back units an item no longer needs, keeping it in flight.</summary>
    public void GiveUnits(int units)
    {
        if (units > 0)
        {
            _units.Release(units);
        }
    }

    /// <summary>Gives back an item and the units it still holds.</summary>
    public void Give(int items, int units)
    {
        GiveUnits(units);
        if (items > 0)
        {
            _items.Release(items);
        }
    }

    /// <summary>
    /// The units one group may hold: half the budget, so that while one group commits the reader can
    /// fill the next one. (A group that took the whole budget would leave the reader a few items at a
    /// time, and every other group would be one of those, costing a flush of its own.)
    /// </summary>
    public int GroupUnits => Math.Max(1, _totalUnits / 2);

    /// <summary>The units that <paramref name="bytes"/> of memory count as, at most the whole budget.</summary>
    public int Units(long bytes) => (int)Math.Min(_totalUnits, (bytes + UnitSize - 1) / UnitSize);

    public void Dispose()
    {
        _items.Dispose();
        _units.Dispose();
    }
}
