using BenchmarkDotNet.Attributes;
using ImageDedup.Benchmarks.Content;
using ImageDedup.Benchmarks.Ingest;
using ImageDedup.FileSystem;
using ImageDedup.Hashing;

namespace ImageDedup.Benchmarks.Batch;

/// <summary>
/// A batch of 1,000 new 64 KiB images (<c>IngestManyAsync</c>, SQLite + file system, the stores'
/// default durability) against the least any program can do to keep them: hash each file and write
/// it once, then flush the file system once (<c>syncfs</c>, which is also how the store flushes a group).
/// </summary>
/// <remarks>
/// Every iteration gets new bytes and a fresh store (untimed: the stamp, the store's creation, its
/// migration and ownership claim by one warm-up ingest, and the blobs' shard directories, which a
/// store in use already has — as in <see cref="NewIngestBenchmarks"/>). The file system is flushed at
/// the end of the setup, so each timed part flushes only its own writes.
/// </remarks>
[MemoryDiagnoser]
[InvocationCount(1)]
public class BatchNewIngestBenchmarks
{
    private readonly Sha256ContentHasher _hasher = new();
    private ScratchDirectory? _scratch;
    private BatchCorpus? _corpus;
    private EngineOnDisk? _store;
    private ScratchDirectory? _storeScratch;
    private ContentDigest[] _digests = [];
    private string _written = string.Empty;
    private long _generation;

    [ParamsSource(nameof(Sizes))]
    public int Size { get; set; }

    public static IEnumerable<int> Sizes => BenchmarkScope.BatchSizes;

    [GlobalSetup]
    public void Setup()
    {
        _scratch = new ScratchDirectory("batch-new");
        _corpus = new BatchCorpus(_scratch, BenchmarkScope.BatchCount, Size);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store?.Dispose();
        _storeScratch?.Dispose();
        _scratch?.Dispose();
    }

    [IterationSetup]
    public void NewBytesAndFreshStores()
    {
        _store?.Dispose();
        _storeScratch?.Dispose();
        _digests = _corpus!.Stamp(++_generation);
        _storeScratch = new ScratchDirectory("batch-new-store");
        _store = new EngineOnDisk(_storeScratch);
        var warm = ImageBytes.Create(1024, seed: -1);
        ImageBytes.Stamp(warm, -_generation);
        _store.Engine.DefaultScope.IngestAsync(new MemoryStream(warm)).GetAwaiter().GetResult();
        _written = Path.Combine(_storeScratch.Path, "baseline");
        foreach (var digest in _digests)
        {
            Directory.CreateDirectory(_store.ShardDirectory(digest));
            Directory.CreateDirectory(Path.Combine(_written, digest.Hex[..2], digest.Hex[2..4]));
        }

        _corpus.Settle();
    }

    [Benchmark(Baseline = true)]
    public async Task HashWriteFlushOnce()
    {
        for (var i = 0; i < _corpus!.Paths.Length; i++)
        {
            var source = _corpus.Open(i);
            await using (source.ConfigureAwait(false))
            {
                var digest = await _hasher.HashAsync(source);
                source.Position = 0;
                var target = new FileStream(Path.Combine(_written, digest.Hex[..2], digest.Hex[2..4], digest.Hex), FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
                await using (target.ConfigureAwait(false))
                {
                    await source.CopyToAsync(target);
                }
            }
        }

        FileSystemFlush.TrySyncFileSystem(_written);
    }

    [Benchmark]
    public async Task<int> IngestMany()
    {
        var stored = 0;
        var items = _corpus!.Paths.Select((path, i) => IngestItem.FromFile(path, new IngestRequest { Holder = BatchCorpus.Holder(i) }));
        await foreach (var result in _store!.Engine.DefaultScope.IngestManyAsync(items.ToAsyncEnumerable()))
        {
            stored += result.Result is { StoredNewBytes: true } ? 1 : throw new InvalidOperationException($"Item {result.Index} was not stored as new: {result.Error}");
        }

        return stored;
    }
}
