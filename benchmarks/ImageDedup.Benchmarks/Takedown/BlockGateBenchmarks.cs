using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using ImageDedup.Benchmarks.Content;
using ImageDedup.Benchmarks.Ingest;
using Microsoft.Data.Sqlite;

namespace ImageDedup.Benchmarks.Takedown;

/// <summary>
/// What the block list costs an ingest (SQLite + file system): a duplicate ingest of 64 KiB — which
/// asks the block list once (BlockGate) and the store's attach once more — with an empty block list
/// and with 100,000 global entries, against hashing the same bytes. The two ratios should match: the
/// lookups are on unique indexes, whatever the list holds.
/// </summary>
[MemoryDiagnoser]
public class BlockGateBenchmarks
{
    private readonly ImageDedup.Hashing.Sha256ContentHasher _hasher = new();
    private ScratchDirectory? _scratch;
    private EngineOnDisk? _store;
    private ContentSource? _source;

    [ParamsSource(nameof(ListSizes))]
    public int BlockedDigests { get; set; }

    public static IEnumerable<int> ListSizes => BenchmarkScope.IsShort ? [1_000] : [0, 100_000];

    [GlobalSetup]
    public async Task Setup()
    {
        _scratch = new ScratchDirectory("blocks");
        _store = new EngineOnDisk(_scratch);
        _source = ContentSource.Open(StreamKind.File, ImageBytes.Create(64 * BenchmarkScope.KiB), _scratch);
        await _store.Engine.DefaultScope.IngestAsync(_source.Rewind(), new IngestRequest { Holder = "bench/original" });
        await FillBlockListAsync(_store.ConnectionString, BlockedDigests);
        if ((await _store.Engine.ListBlockedAsync(pageSize: 1)).Items.Count != Math.Min(BlockedDigests, 1))
        {
            throw new InvalidOperationException("The block list was not filled.");
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
    public Task<IngestResult> DuplicateIngest() => _store!.Engine.DefaultScope.IngestAsync(_source!.Rewind());

    /// <summary>Random digests straight into the table in one transaction, as benchmarks/scale.sh fills catalogues.</summary>
    private static async Task FillBlockListAsync(string connectionString, int count)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var transaction = connection.BeginTransaction();
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """INSERT INTO "imagededup_blocked_digests" (scope, digest, reason, blocked_by, blocked_at) VALUES (NULL, $digest, 'bench', 'bench', 0);""";
        var digest = insert.Parameters.Add("$digest", SqliteType.Text);
        for (var i = 0; i < count; i++)
        {
            digest.Value = ContentDigest.FromSha256(RandomNumberGenerator.GetBytes(32)).ToString();
            await insert.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }
}
