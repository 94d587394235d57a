namespace ImageDedup.Benchmarks;

/// <summary>
/// Which parameter values the benchmarks run with. Read from <c>IMAGEDEDUP_BENCH_SCOPE</c>, so a
/// benchmark process started by BenchmarkDotNet sees the same values as the one that planned it:
/// <list type="bullet">
/// <item><c>full</c> (default): every size and stream kind.</item>
/// <item><c>headline</c>: what <c>benchmarks/ratios.sh</c> needs — 64 KiB and 16 MiB, FileStream only.</item>
/// <item><c>short</c>: the smallest size of each benchmark, every stream kind; the test suite's smoke run.</item>
/// </list>
/// </summary>
public static class BenchmarkScope
{
    public const string Variable = "IMAGEDEDUP_BENCH_SCOPE";

    public const int KiB = 1024;
    public const int MiB = 1024 * KiB;

    /// <summary>Set by the in-process smoke test; otherwise the environment decides.</summary>
    public static string? Override { get; set; }

    public static string Current => (Override ?? Environment.GetEnvironmentVariable(Variable) ?? "full").Trim().ToLowerInvariant();

    public static bool IsShort => Current == "short";

    public static bool IsHeadline => Current == "headline";

    public static IEnumerable<int> HashSizes
        => IsShort ? [4 * KiB]
            : IsHeadline ? [64 * KiB, 16 * MiB]
            : [4 * KiB, 64 * KiB, 1 * MiB, 16 * MiB, 256 * MiB];

    public static IEnumerable<StreamKind> StreamKinds
        => IsHeadline ? [StreamKind.File] : [StreamKind.Memory, StreamKind.File, StreamKind.NonSeekable];

    public static IEnumerable<int> IngestSizes
        => IsShort ? [64 * KiB] : [64 * KiB, 16 * MiB];

    /// <summary>The image size of the batch benchmarks (their names say 64k).</summary>
    public static IEnumerable<int> BatchSizes => [64 * KiB];

    /// <summary>Images per batch: 1,000 (a few in the smoke run).</summary>
    public static int BatchCount => IsShort ? 20 : 1_000;
}
