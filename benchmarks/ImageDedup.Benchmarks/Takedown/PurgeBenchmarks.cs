using BenchmarkDotNet.Attributes;
using ImageDedup.Benchmarks.Content;
using ImageDedup.Benchmarks.Ingest;
using Microsoft.Data.Sqlite;

namespace ImageDedup.Benchmarks.Takedown;

/// <summary>
/// Taking down an original with 1,000 (and, in the full scope, 100,000) holders (SQLite + file
/// system): a purge (claim, blob, holders released and reported in batches of 500, row) against
/// releasing the same holders by prefix (batches of 500, the last release deletes), the way the same
/// image went away before takedown.
/// </summary>
[MemoryDiagnoser]
[InvocationCount(1)]
public class PurgeBenchmarks
{
    private ScratchDirectory? _scratch;
    private EngineOnDisk? _store;
    private Guid _original;
    private int _round;

    [ParamsSource(nameof(HolderCounts))]
    public int Holders { get; set; }

    public static IEnumerable<int> HolderCounts => BenchmarkScope.IsShort || BenchmarkScope.IsHeadline ? [1_000] : [1_000, 100_000];

    [GlobalSetup]
    public void Setup()
    {
        _scratch = new ScratchDirectory("purge");
        _store = new EngineOnDisk(_scratch);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store?.Dispose();
        _scratch?.Dispose();
    }

    /// <summary>A new original (new bytes each round) with <see cref="Holders"/> holders under one prefix.</summary>
    [IterationSetup]
    public void OriginalWithHolders()
    {
        _round++;
        using var content = new MemoryStream(ImageBytes.Create(64 * BenchmarkScope.KiB, seed: _round));
        var stored = _store!.Engine.DefaultScope.IngestAsync(content, new IngestRequest { Holder = Holder(0) }).GetAwaiter().GetResult();
        _original = stored.Original.Id;

        // The other holders straight into the tables in one transaction (the counters' triggers follow).
        using var connection = new SqliteConnection(_store.ConnectionString);
        connection.Open();
        using var transaction = connection.BeginTransaction();
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """INSERT INTO "imagededup_references" (scope, holder, original_id, created_at) VALUES ('', $holder, $id, 0);""";
        var holder = insert.Parameters.Add("$holder", SqliteType.Text);
        insert.Parameters.AddWithValue("$id", _original.ToString("D"));
        for (var i = 1; i < Holders; i++)
        {
            holder.Value = Holder(i);
            insert.ExecuteNonQuery();
        }

        using var count = connection.CreateCommand();
        count.Transaction = transaction;
        count.CommandText = """UPDATE "imagededup_originals" SET reference_count = reference_count + $n WHERE id = $id;""";
        count.Parameters.AddWithValue("$n", Holders - 1);
        count.Parameters.AddWithValue("$id", _original.ToString("D"));
        count.ExecuteNonQuery();
        transaction.Commit();
    }

    [Benchmark(Baseline = true)]
    public async Task<PrefixReleaseResult> ReleaseByPrefix()
    {
        var released = await _store!.Engine.DefaultScope.ReleasePrefixAsync(Prefix());
        return released.ReferencesReleased == Holders && released.OriginalsDeleted == 1 ? released : throw new InvalidOperationException($"Released {released}.");
    }

    [Benchmark]
    public async Task<PurgeResult> Purge()
    {
        var purged = await _store!.Engine.DefaultScope.PurgeAsync(_original, new PurgeRequest { RequestedBy = "bench", Reason = "bench" });
        return purged.HoldersReleased == Holders && purged.OriginalsPurged.Count == 1 ? purged : throw new InvalidOperationException($"Purged {purged}.");
    }

    private string Prefix() => $"bench/{_round}/";

    private string Holder(int i) => $"{Prefix()}{i:D6}";
}
