namespace ImageDedup;

/// <summary>
/// Limits on what one scope may store (<see cref="ImageDedupOptions.ScopeQuotas"/>,
/// <see cref="ImageDedupOptions.DefaultScopeQuota"/>). A null limit is no limit.
/// </summary>
/// <remarks>
/// A scope's usage is its live originals — orphans still in their grace period included, since their
/// bytes are stored until garbage collection deletes them — plus its pending originals, the bytes of
/// ingests under way. Originals being deleted do not count. Only an ingest of bytes the scope does
/// not hold yet is checked, after hashing and before anything is written, and fails with
/// <see cref="QuotaExceededException"/> when usage plus the new original would exceed a limit;
/// attaching a holder to bytes the scope already holds never counts. Concurrent ingests check
/// before any of them has inserted its pending original, so a scope may end above its limit by at
/// most the images that were checked at the same time: at most one in-flight image per concurrent
/// ingest (docs/statistics-and-quotas.md).
/// </remarks>
public sealed class ScopeQuota
{
    /// <summary>The most bytes the scope's live and pending originals may hold; null for no limit. Zero refuses every new original.</summary>
    public long? MaxStoredBytes { get; set; }

    /// <summary>The most live and pending originals the scope may hold; null for no limit. Zero refuses every new original.</summary>
    public long? MaxOriginals { get; set; }
}
