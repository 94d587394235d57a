using System.Globalization;

namespace ImageDedup.SampleApi.Backfill;

/// <summary>How a backfill run is paced: rows per batch (one transaction each) and an optional rate limit.</summary>
internal sealed record BackfillSettings(int BatchSize, double? MaxRowsPerSecond);

/// <summary>What one backfill run did so far.</summary>
internal sealed record BackfillReport
{
    /// <summary>Rows the run looked at: moved, skipped, or whose old object it deleted.</summary>
    public long Done { get; init; }

    /// <summary>Rows that now point at an original.</summary>
    public long Moved { get; init; }

    /// <summary>Of <see cref="Moved"/>: those whose bytes became a new original.</summary>
    public long NewOriginals { get; init; }

    /// <summary>Rows left as they are: their old object is missing or is not a whole image.</summary>
    public long Skipped { get; init; }

    public long ObjectsDeleted { get; init; }

    public long BytesDeleted { get; init; }

    /// <summary>Bytes written as new originals.</summary>
    public long NewBytesStored { get; init; }

    /// <summary>The storage the run gave back: old objects deleted, less new originals written.</summary>
    public long BytesReclaimed => BytesDeleted - NewBytesStored;

    public string Describe(long total)
        => string.Create(CultureInfo.InvariantCulture,
            $"{Done}/{total} rows: {Moved} moved ({NewOriginals} new originals, {Moved - NewOriginals} duplicates), {Skipped} skipped; {ObjectsDeleted} old objects deleted ({BytesDeleted} bytes)");

    public string Summary()
        => string.Create(CultureInfo.InvariantCulture,
            $"done: {Moved} rows moved, {Skipped} skipped; {ObjectsDeleted} old objects deleted ({BytesDeleted} bytes); {NewBytesStored} bytes stored as {NewOriginals} new originals; reclaimed {BytesReclaimed} bytes");
}
