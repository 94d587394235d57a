using System.Diagnostics.CodeAnalysis;

namespace ImageDedup;

/// <summary>
/// The outcome of one item of a batch ingest: what <see cref="IImageDedupScope.IngestAsync"/> would
/// have returned for it, or the exception it would have thrown.
/// </summary>
/// <param name="Index">The item's position in the batch's input, from 0.</param>
/// <param name="Item">The item.</param>
/// <param name="Result">The ingest's result; null when it failed.</param>
/// <param name="Error">
/// Why the item failed, as single ingest throws it (<see cref="NotAnImageException"/>,
/// <see cref="QuotaExceededException"/>, the stream's own <see cref="IOException"/>, …); null when it
/// succeeded. A failed item stored nothing.
/// </param>
public sealed record IngestItemResult(long Index, IngestItem Item, IngestResult? Result, Exception? Error)
{
    /// <summary>Whether the item was ingested (<see cref="Result"/> is set).</summary>
    [MemberNotNullWhen(true, nameof(Result))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Succeeded => Error is null && Result is not null;
}
