namespace ImageDedup;

/// <summary>
/// A digest the catalogue refuses: an ingest of those bytes, and a reference to an original that
/// holds them, fail with <see cref="BlockedContentException"/> and store nothing.
/// </summary>
/// <param name="Scope">The scope the entry refuses the digest in, or null when it refuses it in every scope.</param>
/// <param name="Digest">The refused content.</param>
/// <param name="Reason">Why, as the host gave it (a legal notice, an erasure request, a report).</param>
/// <param name="BlockedBy">Who asked for it, as the host gave it.</param>
/// <param name="BlockedAt">When it was added, or last added again (database clock).</param>
public sealed record BlockListEntry(string? Scope, ContentDigest Digest, string Reason, string BlockedBy, DateTimeOffset BlockedAt);
