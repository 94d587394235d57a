namespace ImageDedup;

/// <summary>A named reference: the host's record <paramref name="Holder"/> uses the original <paramref name="OriginalId"/>.</summary>
/// <param name="Scope">The scope of the holder and the original.</param>
/// <param name="Holder">The holder key, the host's own name for its record, for example <c>projects/7/images/42</c>.</param>
/// <param name="OriginalId">The original the holder points at.</param>
/// <param name="CreatedAt">When the holder started pointing at the original (database clock).</param>
public sealed record HolderReference(string Scope, string Holder, Guid OriginalId, DateTimeOffset CreatedAt);
