using BenchmarkDotNet.Attributes;
using ImageDedup.Benchmarks.Content;
using ImageDedup.Hashing;

namespace ImageDedup.Benchmarks.Hashing;

/// <summary>The bytes, the stream kinds and the library's hasher that the hashing comparisons share.</summary>
public abstract class StreamHashingBenchmark
{
    private ScratchDirectory? _scratch;
    private ContentSource? _source;

    [ParamsSource(nameof(Sizes))]
    public int Size { get; set; }

    [ParamsSource(nameof(Kinds))]
    public StreamKind Source { get; set; }

    public static IEnumerable<int> Sizes => BenchmarkScope.HashSizes;

    public static IEnumerable<StreamKind> Kinds => BenchmarkScope.StreamKinds;

    protected byte[] Bytes { get; private set; } = [];

    private protected Sha256ContentHasher Hasher { get; } = new();

    [GlobalSetup]
    public void Setup()
    {
        _scratch = new ScratchDirectory("hash");
        Bytes = ImageBytes.Create(Size);
        _source = ContentSource.Open(Source, Bytes, _scratch);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _source?.Dispose();
        _scratch?.Dispose();
    }

    /// <summary>The stream of the current kind, at its first byte (a seek, not a reopen).</summary>
    protected Stream Rewound() => _source!.Rewind();
}
