using BenchmarkDotNet.Attributes;
using ImageDedup.Benchmarks.Content;
using ImageDedup.Hashing;

namespace ImageDedup.Benchmarks.Ingest;

/// <summary>
/// Ingest of bytes the store already holds (SQLite + file system): the engine hashes, sniffs, finds
/// the live original and writes nothing. Against hashing the same FileStream with the library's
/// hasher, so the ratio is what ingest adds on top of the hash it cannot avoid.
/// </summary>
[MemoryDiagnoser]
public class DuplicateIngestBenchmarks
{
    private readonly Sha256ContentHasher _hasher = new();
    private ScratchDirectory? _scratch;
    private EngineOnDisk? _store;
    private ContentSource? _source;

    [ParamsSource(nameof(Sizes))]
    public int Size { get; set; }

    public static IEnumerable<int> Sizes => BenchmarkScope.IngestSizes;

    [GlobalSetup]
    public async Task Setup()
    {
        _scratch = new ScratchDirectory("dup");
        _store = new EngineOnDisk(_scratch);
        _source = ContentSource.Open(StreamKind.File, ImageBytes.Create(Size), _scratch);

        // The original is live and referenced, so a duplicate ingest without a holder writes nothing.
        var stored = await _store.Engine.DefaultScope.IngestAsync(_source.Rewind(), new IngestRequest { Holder = "bench/original" });
        var again = await _store.Engine.DefaultScope.IngestAsync(_source.Rewind());
        if (!stored.StoredNewBytes || again.StoredNewBytes || again.Original.Id != stored.Original.Id)
        {
            throw new InvalidOperationException("The second ingest of the same bytes was not a duplicate.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _source?.Dispose();
        _store?.Dispose();
        _scratch?.Dispose();
    }

    [Benchmark(Baseline = true)]
    public ValueTask<ContentDigest> HashAlone() => _hasher.HashAsync(_source!.Rewind());

    [Benchmark]
    public Task<IngestResult> Ingest() => _store!.Engine.DefaultScope.IngestAsync(_source!.Rewind());
}
