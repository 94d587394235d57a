using ImageDedup.Storage;

namespace ImageDedup.Testing.References;

/// <summary>
/// The figures of <see cref="OriginalStatistics"/> recounted the slow way, from every original the
/// store lists (all states, paged), to check the store's counters against. Used by the conformance
/// suites and the stress test.
/// </summary>
public static class StatisticsRecount
{
    /// <summary>Recounts one scope, or every scope when <paramref name="scope"/> is null.</summary>
    public static async Task<OriginalStatistics> OfAsync(IReferenceStore store, string? scope)
    {
        ArgumentNullException.ThrowIfNull(store);
        long originals = 0, stored = 0, orphans = 0, orphanBytes = 0, references = 0, logical = 0, pending = 0, pendingBytes = 0;
        string? cursor = null;
        do
        {
            var page = await store.ListOriginalsAsync(scope, cursor, 1000);
            foreach (var o in page.Items)
            {
                if (o.State == OriginalState.Live)
                {
                    originals++;
                    stored += o.Length;
                    references += o.ReferenceCount;
                    logical += o.ReferenceCount * o.Length;
                    if (o.ReferenceCount == 0)
                    {
                        orphans++;
                        orphanBytes += o.Length;
                    }
                }
                else if (o.State == OriginalState.Pending)
                {
                    pending++;
                    pendingBytes += o.Length;
                }
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);

        return new OriginalStatistics
        {
            UniqueOriginals = originals,
            StoredBytes = stored,
            OrphanCount = orphans,
            OrphanBytes = orphanBytes,
            References = references,
            LogicalBytes = logical,
            PendingOriginals = pending,
            PendingBytes = pendingBytes,
        };
    }

    /// <summary>The scopes that have at least one original, in any state.</summary>
    public static async Task<IReadOnlyList<string>> ScopesAsync(IReferenceStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var scopes = new SortedSet<string>(StringComparer.Ordinal);
        string? cursor = null;
        do
        {
            var page = await store.ListOriginalsAsync(null, cursor, 1000);
            foreach (var o in page.Items)
            {
                scopes.Add(o.Scope);
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);

        return [.. scopes];
    }
}
