namespace ImageDedup;

/// <summary>What a scope quota limits (<see cref="QuotaExceededException.Measure"/>).</summary>
public enum QuotaMeasure
{
    /// <summary>Bytes of the scope's live and pending originals.</summary>
    StoredBytes,

    /// <summary>The scope's live and pending originals.</summary>
    Originals,
}
