namespace ImageDedup.Storage;

/// <summary>One request of <see cref="IReferenceStore.PromoteManyAsync"/>: what <see cref="IReferenceStore.PromoteAsync"/> takes.</summary>
/// <param name="PendingId">The pending original to make live.</param>
/// <param name="Holder">The holder to point at it (or at the winner of its digest), or null.</param>
public sealed record PendingPromotion(Guid PendingId, string? Holder);
