namespace ImageDedup;

/// <summary>What a scrub found.</summary>
/// <param name="Checked">Live originals whose bytes were re-hashed.</param>
/// <param name="Missing">Live originals whose blob does not exist (marked in the store).</param>
/// <param name="Corrupt">Live originals whose blob no longer hashes to their digest.</param>
/// <param name="NextCursor">Where to resume; null when every original was checked.</param>
public sealed record VerifyResult(long Checked, IReadOnlyList<Guid> Missing, IReadOnlyList<Guid> Corrupt, string? NextCursor);
