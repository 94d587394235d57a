namespace ImageDedup;

/// <summary>Settings of the ImageDedup engine, validated when the host starts.</summary>
public sealed class ImageDedupOptions
{
    /// <summary>The largest upload accepted, in bytes; reading stops as soon as it is exceeded. Default 50 MiB.</summary>
    public long MaxImageBytes { get; set; } = 50L << 20;

    /// <summary>Accept content that is not a recognised image (stored as the declared type). Default false.</summary>
    public bool AllowAnyContent { get; set; }

    /// <summary>
    /// Store images whose own structure says they were cut short (a PNG without IEND, a JPEG without
    /// its end-of-image marker, a box or offset past the end) instead of refusing them with
    /// <see cref="ImageTruncatedException"/>. Default false.
    /// </summary>
    public bool AllowTruncatedImages { get; set; }

    /// <summary>
    /// How long an original with no references is kept before it is deleted. Zero (the default)
    /// deletes it in the call that releases its last reference; a longer period leaves it to
    /// garbage collection, and an ingest of the same bytes within the period revives it.
    /// </summary>
    public TimeSpan DeletionGracePeriod { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// The least age of an orphan before garbage collection deletes it. Protects originals that
    /// were ingested without a holder (the host adds the reference next) and those released
    /// inside a host transaction. Garbage collection waits the longer of this and
    /// <see cref="DeletionGracePeriod"/>. Default one hour.
    /// </summary>
    public TimeSpan OrphanGracePeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The most time an ingest may spend storing bytes: from inserting its pending original until
    /// the original is live (the blob write and the commit), and for a write that restores the
    /// missing blob of a live original. An ingest that runs out fails with
    /// <see cref="TimeoutException"/> and removes what it stored. Reconcile removes pending
    /// originals and abandoned blob writes only once they are at least twice this old, so it never
    /// takes those of an ingest still in flight, whatever grace period it runs with
    /// (<see cref="OrphanGracePeriod"/> and <c>ReconcileOptions.GracePeriod</c> may be zero). Every
    /// instance sharing a catalogue should use the same value. Positive, at most one day.
    /// Default 15 minutes.
    /// </summary>
    public TimeSpan IngestWriteTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The read chunk size, pooled; between 64 KiB and 16 MiB. Default 1 MiB.</summary>
    public int BufferSize { get; set; } = 1 << 20;

    /// <summary>Originals claimed per garbage-collection batch. Default 100.</summary>
    public int GarbageCollectionBatchSize { get; set; } = 100;

    /// <summary>References removed per batch of a prefix release. Default 500.</summary>
    public int PrefixReleaseBatchSize { get; set; } = 500;

    /// <summary>
    /// References a purge releases per batch (one transaction each, reported to
    /// <see cref="PurgeRequest.OnHoldersReleased"/> as it commits); reconcile finishes an interrupted
    /// purge in batches of the same size. Default 500.
    /// </summary>
    public int PurgeBatchSize { get; set; } = 500;

    /// <summary>Where non-seekable uploads larger than one chunk are spooled while hashing. Default: the system temp directory.</summary>
    public string? SpoolDirectory { get; set; }

    /// <summary>
    /// Quotas of named scopes (the default scope's name is the empty string), by scope name. A scope
    /// listed here uses its entry and not <see cref="DefaultScopeQuota"/>. Empty by default: no quotas.
    /// See <see cref="ScopeQuota"/> for what counts and the overshoot bound.
    /// </summary>
    public IDictionary<string, ScopeQuota> ScopeQuotas { get; } = new Dictionary<string, ScopeQuota>(StringComparer.Ordinal);

    /// <summary>The quota of every scope not in <see cref="ScopeQuotas"/>, or null (the default) for none.</summary>
    public ScopeQuota? DefaultScopeQuota { get; set; }
}
