namespace ImageDedup;

/// <summary>What a reference store did when it pointed a holder at an original.</summary>
/// <param name="Original">The original the holder now points at, as it is after the change.</param>
/// <param name="Added">False when the holder already pointed there (a retry) or when no holder was given.</param>
/// <param name="Displaced">
/// The original the holder pointed at before, as it is after losing this reference; null when the
/// holder is new or already pointed at <paramref name="Original"/>. When its state is
/// <see cref="OriginalState.Deleting"/> the caller has claimed its deletion and must finish it.
/// </param>
public sealed record ReferenceChange(Original Original, bool Added, Original? Displaced);
