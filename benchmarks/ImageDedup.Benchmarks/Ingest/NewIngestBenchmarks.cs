using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using ImageDedup.Benchmarks.Content;
using ImageDedup.Hashing;

namespace ImageDedup.Benchmarks.Ingest;

/// <summary>
/// Ingest of bytes the store has never seen (SQLite + file system): hash, sniff, insert the pending
/// row, write the blob durably while hashing it again, promote. Against hashing the same bytes
/// and writing them with the same durability (<see cref="DurableFile"/>).
/// </summary>
/// <remarks>
/// Every invocation needs new bytes, so each iteration is one invocation: the setup (untimed)
/// stamps a counter into the file, and the cleanup (untimed) releases what was stored so the
/// disk does not fill. The setup also creates the blob's shard directory, as it exists in a store
/// that has been in use: creating it (and flushing its parents) happens once per shard in a
/// store's life, not once per upload.
/// </remarks>
[MemoryDiagnoser]
[InvocationCount(1)]
public class NewIngestBenchmarks
{
    private readonly Sha256ContentHasher _hasher = new();
    private ScratchDirectory? _scratch;
    private EngineOnDisk? _store;
    private ContentSource? _source;
    private string _staging = "";
    private string _written = "";
    private long _counter;
    private string? _holder;

    [ParamsSource(nameof(Sizes))]
    public int Size { get; set; }

    public static IEnumerable<int> Sizes => BenchmarkScope.IngestSizes;

    [GlobalSetup]
    public void Setup()
    {
        _scratch = new ScratchDirectory("new");
        _store = new EngineOnDisk(_scratch);
        _source = ContentSource.Open(StreamKind.File, ImageBytes.Create(Size), _scratch);
        _staging = Directory.CreateDirectory(_scratch.File("baseline-staging")).FullName;
        _written = Directory.CreateDirectory(_scratch.File("baseline-blobs")).FullName;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _source?.Dispose();
        _store?.Dispose();
        _scratch?.Dispose();
    }

    [IterationSetup]
    public void NewBytes()
    {
        _counter++;
        _source!.Stamp(_counter);
        var digest = ContentDigest.FromSha256(SHA256.HashData(_source.Rewind()));
        Directory.CreateDirectory(_store!.ShardDirectory(digest));
        _holder = $"bench/new/{_counter}";
    }

    [IterationCleanup]
    public void RemoveWritten()
    {
        // Releasing the only holder deletes the original's row and blob.
        _store!.Engine.DefaultScope.ReleaseAsync(_holder!).GetAwaiter().GetResult();
        foreach (var file in Directory.EnumerateFiles(_written))
        {
            File.Delete(file);
        }
    }

    [Benchmark(Baseline = true)]
    public async Task HashAndWrite()
    {
        var digest = await _hasher.HashAsync(_source!.Rewind());
        await DurableFile.WriteAsync(_source.Rewind(), Size, _staging, Path.Combine(_written, digest.Hex));
    }

    [Benchmark]
    public async Task<IngestResult> Ingest()
    {
        var result = await _store!.Engine.DefaultScope.IngestAsync(_source!.Rewind(), new IngestRequest { Holder = _holder });
        return result.StoredNewBytes ? result : throw new InvalidOperationException("The stamped bytes were already stored.");
    }
}
