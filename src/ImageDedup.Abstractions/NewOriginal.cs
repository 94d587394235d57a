namespace ImageDedup;

/// <summary>What a reference store needs to insert a <see cref="OriginalState.Pending"/> original.</summary>
/// <param name="Id">The new original's identifier, chosen by the engine.</param>
/// <param name="Scope">The scope of the original.</param>
/// <param name="Digest">The digest of the bytes about to be written.</param>
/// <param name="Length">The length of those bytes.</param>
/// <param name="ContentType">The detected content type.</param>
/// <param name="StorageKey">The blob key, unique to this row.</param>
public sealed record NewOriginal(Guid Id, string Scope, ContentDigest Digest, long Length, string ContentType, string StorageKey);
