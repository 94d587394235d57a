using BenchmarkDotNet.Attributes;
using ImageDedup.Benchmarks.Content;
using ImageDedup.Benchmarks.Ingest;
using ImageDedup.Hashing;

namespace ImageDedup.Benchmarks.Batch;

/// <summary>
/// A batch of 1,000 64 KiB images the store already holds under the same holders (a re-run, as the
/// tool's second ingest of a folder: nothing is written) against hashing the same files with the
/// library's hasher one after another — what <c>sha256sum</c> does — and, for reference, on every core.
/// </summary>
[MemoryDiagnoser]
public class BatchDuplicateIngestBenchmarks
{
    private readonly Sha256ContentHasher _hasher = new();
    private ScratchDirectory? _scratch;
    private BatchCorpus? _corpus;
    private EngineOnDisk? _store;

    [ParamsSource(nameof(Sizes))]
    public int Size { get; set; }

    public static IEnumerable<int> Sizes => BenchmarkScope.BatchSizes;

    [GlobalSetup]
    public async Task Setup()
    {
        _scratch = new ScratchDirectory("batch-dup");
        _corpus = new BatchCorpus(_scratch, BenchmarkScope.BatchCount, Size);
        _store = new EngineOnDisk(_scratch);
        if (await IngestManyAsync() != 0)
        {
            throw new InvalidOperationException("The first ingest of the corpus found stored originals.");
        }

        if (await IngestManyAsync() != _corpus.Paths.Length)
        {
            throw new InvalidOperationException("The second ingest of the corpus stored new bytes.");
        }

        _corpus.Settle();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store?.Dispose();
        _scratch?.Dispose();
    }

    [Benchmark(Baseline = true)]
    public async Task<int> HashAll()
    {
        var hashed = 0;
        for (var i = 0; i < _corpus!.Paths.Length; i++)
        {
            var source = _corpus.Open(i);
            await using (source.ConfigureAwait(false))
            {
                hashed += (await _hasher.HashAsync(source)).IsEmpty ? 0 : 1;
            }
        }

        return hashed;
    }

    [Benchmark]
    public async Task<int> HashAllOnEveryCore()
    {
        var hashed = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, _corpus!.Paths.Length), async (i, token) =>
        {
            var source = _corpus.Open(i);
            await using (source.ConfigureAwait(false))
            {
                if (!(await _hasher.HashAsync(source, token)).IsEmpty)
                {
                    Interlocked.Increment(ref hashed);
                }
            }
        });

        return hashed;
    }

    [Benchmark]
    public Task<int> IngestMany() => IngestManyAsync();

    /// <summary>Ingests the corpus under its holders; returns how many items found their bytes stored and their holder in place.</summary>
    private async Task<int> IngestManyAsync()
    {
        var unchanged = 0;
        var items = _corpus!.Paths.Select((path, i) => IngestItem.FromFile(path, new IngestRequest { Holder = BatchCorpus.Holder(i) }));
        await foreach (var result in _store!.Engine.DefaultScope.IngestManyAsync(items.ToAsyncEnumerable()))
        {
            var ingested = result.Result ?? throw new InvalidOperationException($"Item {result.Index} failed: {result.Error}");
            unchanged += ingested is { StoredNewBytes: false, ReferenceAdded: false } ? 1 : 0;
        }

        return unchanged;
    }
}
