namespace ImageDedup;

/// <summary>How a batch ingest (<see cref="IImageDedupScope.IngestManyAsync"/>) spends the machine.</summary>
public sealed record IngestManyOptions
{
    /// <summary>
    /// How many items are read and hashed at once. Null (the default) for one per core
    /// (<see cref="Environment.ProcessorCount"/>); at least 1.
    /// </summary>
    public int? MaxDegreeOfParallelism { get; init; }

    /// <summary>
    /// The most items one group commit takes: their rows are written in one transaction per step and
    /// their blobs made durable with one flush. A group commit takes what has been read by the time
    /// the previous one ends, up to this many; 1 to 10,000, default 1,000.
    /// </summary>
    public int MaxItemsPerCommit { get; init; } = 1_000;
}
