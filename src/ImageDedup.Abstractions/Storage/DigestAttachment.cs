namespace ImageDedup.Storage;

/// <summary>One request of <see cref="IReferenceStore.TryAttachManyAsync"/>: what <see cref="IReferenceStore.TryAttachAsync"/> takes besides the scope.</summary>
/// <param name="Digest">The digest of the content.</param>
/// <param name="Holder">The holder to point at the live original of that digest, or null.</param>
public sealed record DigestAttachment(ContentDigest Digest, string? Holder);
