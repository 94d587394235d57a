namespace ImageDedup.Matrix.Tests;

/// <summary>The guard's rule, apart from how the providers and suites are found: every reference store with every blob store.</summary>
internal static class ConformanceMatrix
{
    /// <summary>
    /// Why the matrix is incomplete, naming every pair of providers no concrete engine suite runs
    /// on; null when each pair has one.
    /// </summary>
    /// <param name="referenceProviders">The providers with a reference store.</param>
    /// <param name="blobProviders">The providers with a blob store.</param>
    /// <param name="covered">The (reference provider, blob provider) pair of each concrete engine suite.</param>
    public static string? Gaps(IEnumerable<string> referenceProviders, IEnumerable<string> blobProviders, IEnumerable<(string References, string Blobs)> covered)
    {
        var have = covered.ToHashSet();
        var blobs = blobProviders.Distinct().Order(StringComparer.Ordinal).ToList();
        var missing = referenceProviders.Distinct().Order(StringComparer.Ordinal)
            .SelectMany(references => blobs.Select(b => (References: references, Blobs: b)))
            .Where(pair => !have.Contains(pair))
            .Select(pair => $"{pair.References} + {pair.Blobs}")
            .ToList();
        return missing.Count == 0
            ? null
            : $"The engine suite does not run on {string.Join(", ", missing)}: add a class deriving from EnginePair<,> with those providers' store factories to tests/ImageDedup.Matrix.Tests/Pairs.cs.";
    }
}
