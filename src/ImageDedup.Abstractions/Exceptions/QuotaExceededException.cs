namespace ImageDedup;

/// <summary>
/// Storing new bytes would take the scope past its quota (<c>ImageDedupOptions.ScopeQuotas</c>). The
/// ingest was refused after hashing and before any byte was stored: nothing was written, and no
/// holder was attached or moved. An ingest of bytes the scope already holds never fails this way.
/// </summary>
public sealed class QuotaExceededException : ImageDedupException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="scope">The scope whose quota was reached.</param>
    /// <param name="measure">What the exceeded limit counts.</param>
    /// <param name="limit">The limit.</param>
    /// <param name="usage">The scope's usage when the ingest was checked, without the ingest.</param>
    /// <param name="requested">What the ingest would have added (its bytes, or one original).</param>
    public QuotaExceededException(string scope, QuotaMeasure measure, long limit, long usage, long requested)
        : base(measure == QuotaMeasure.StoredBytes
            ? $"Scope '{scope}' holds {usage} bytes of its quota of {limit}; {requested} more would exceed it."
            : $"Scope '{scope}' holds {usage} originals of its quota of {limit}; {requested} more would exceed it.")
    {
        Scope = scope;
        Measure = measure;
        Limit = limit;
        Usage = usage;
        Requested = requested;
    }

    /// <summary>The scope whose quota was reached.</summary>
    public string Scope { get; }

    /// <summary>What the exceeded limit counts.</summary>
    public QuotaMeasure Measure { get; }

    /// <summary>The limit, in bytes or originals.</summary>
    public long Limit { get; }

    /// <summary>
    /// The scope's usage when the ingest was checked: its live originals (orphans in their grace
    /// period included) and its pending ones (other ingests storing bytes right now).
    /// </summary>
    public long Usage { get; }

    /// <summary>What the ingest would have added: its length in bytes, or one original.</summary>
    public long Requested { get; }
}
