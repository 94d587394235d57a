using BenchmarkDotNet.Attributes;
using ImageDedup.Benchmarks.Content;
using ImageDedup.Hashing;

namespace ImageDedup.Benchmarks.Hashing;

/// <summary>
/// The library's hasher on a FileStream with different read chunk sizes, against the default:
/// the evidence for <see cref="Sha256ContentHasher.DefaultChunkSize"/>.
/// </summary>
[MemoryDiagnoser]
public class ChunkSizeBenchmarks
{
    private ScratchDirectory? _scratch;
    private ContentSource? _source;
    private Sha256ContentHasher _default = new();
    private Sha256ContentHasher _candidate = new();

    [ParamsSource(nameof(Sizes))]
    public int Size { get; set; }

    [ParamsSource(nameof(ChunkSizes))]
    public int ChunkSize { get; set; }

    public static IEnumerable<int> Sizes => BenchmarkScope.IsShort ? [4 * BenchmarkScope.KiB] : [64 * BenchmarkScope.KiB, 16 * BenchmarkScope.MiB];

    public static IEnumerable<int> ChunkSizes => BenchmarkScope.IsShort
        ? [64 * BenchmarkScope.KiB]
        : [64 * BenchmarkScope.KiB, 256 * BenchmarkScope.KiB, 4 * BenchmarkScope.MiB];

    [GlobalSetup]
    public void Setup()
    {
        _scratch = new ScratchDirectory("chunks");
        _source = ContentSource.Open(StreamKind.File, ImageBytes.Create(Size), _scratch);
        _default = new Sha256ContentHasher();
        _candidate = new Sha256ContentHasher(ChunkSize);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _source?.Dispose();
        _scratch?.Dispose();
    }

    [Benchmark(Baseline = true)]
    public ValueTask<ContentDigest> DefaultChunk() => _default.HashAsync(_source!.Rewind());

    [Benchmark]
    public ValueTask<ContentDigest> CandidateChunk() => _candidate.HashAsync(_source!.Rewind());
}
