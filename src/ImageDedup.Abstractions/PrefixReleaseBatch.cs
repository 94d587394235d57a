namespace ImageDedup;

/// <summary>One bounded batch of a release by holder-key prefix.</summary>
/// <param name="Released">How many references the batch removed.</param>
/// <param name="Claimed">Originals whose deletion the batch claimed; the caller must finish deleting them.</param>
/// <param name="Orphaned">How many originals the batch left without references (claimed or not).</param>
public sealed record PrefixReleaseBatch(int Released, IReadOnlyList<Original> Claimed, int Orphaned);
