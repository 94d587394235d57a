using ImageDedup.Testing.Engine;
using System.Diagnostics;
using System.Globalization;
using ImageDedup.ProcessHost;
using ImageDedup.Storage;
using ImageDedup.Testing.Content;
using ImageDedup.Testing.Servers;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ImageDedup.Invariants.Tests;

/// <summary>
/// Workers ingest, add, re-point and release references over a dozen contents, so they
/// collide constantly, while garbage collection runs beside them. Each worker owns its holders,
/// so it knows exactly what each should point at; afterwards the stores must agree with every
/// worker, every live original must be whole, and releasing everything must leave both stores
/// empty. IMAGEDEDUP_STRESS_WORKERS and IMAGEDEDUP_STRESS_SECONDS lengthen the run.
/// </summary>
public abstract class StressTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly int Workers = Setting("IMAGEDEDUP_STRESS_WORKERS", 8);
    private static readonly int Seconds = Setting("IMAGEDEDUP_STRESS_SECONDS", 20);

    private TestPair _pair = null!;

    protected abstract Task<TestPair> CreatePairAsync();

    public async Task InitializeAsync() => _pair = await CreatePairAsync();

    public Task DisposeAsync()
    {
        _pair.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Stress_keeps_every_invariant_and_ends_empty()
    {
        await using var provider = ProviderPair.Build(_pair.Settings, o =>
        {
            o.OrphanGracePeriod = TimeSpan.Zero;
            o.GarbageCollectionBatchSize = 10;
        });
        var engine = provider.GetRequiredService<IImageDedup>();
        // Few holders per content, so last releases (deletions) race with ingests of the same bytes.
        var contents = Enumerable.Range(0, 12).Select(i => TestImages.Png(seed: 9000 + i, length: 3_000 + (i * 3_000))).ToArray();
        var digests = contents.Select(c => TestImages.DigestOf(c)).ToArray();
        var tally = new Tally();

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(Seconds));
        var clock = Stopwatch.StartNew();
        var collector = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var collected = await engine.CollectGarbageAsync();
                Tally.Add(ref tally.Collected, collected.OriginalsDeleted);
                Tally.Add(ref tally.CollectorRuns, 1);
                await Task.Delay(5);
            }
        });
        var workers = Enumerable.Range(0, Workers).Select(w => Task.Run(() => WorkAsync(engine, w, contents, digests, tally, stop.Token))).ToArray();
        var models = await Task.WhenAll(workers);
        await collector;
        clock.Stop();

        var references = provider.GetRequiredService<IReferenceStore>();
        var blobs = provider.GetRequiredService<IBlobStore>();
        await StoreInvariants.AssertWholeAsync(references, blobs);
        foreach (var model in models)
        {
            foreach (var (holder, expected) in model)
            {
                var actual = await engine.DefaultScope.FindByHolderAsync(holder);
                Assert.Equal(expected, actual?.Digest);
            }
        }

        for (var w = 0; w < Workers; w++)
        {
            await engine.DefaultScope.ReleasePrefixAsync(Prefix(w));
        }

        await engine.CollectGarbageAsync();
        await engine.ReconcileAsync(new ReconcileOptions { GracePeriod = TimeSpan.Zero });
        await StoreInvariants.AssertEmptyAsync(references, blobs);

        var operations = tally.Operations;
        Assert.True(operations > Workers * 10, $"only {operations} operations ran");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{_pair.Name}: {Workers} workers, {clock.Elapsed.TotalSeconds:0.0} s, {operations} operations ({operations / clock.Elapsed.TotalSeconds:0} ops/s): " +
            $"{tally.Ingests} ingests ({tally.Duplicates} found existing bytes; {tally.Batches} batches), {tally.Adds} adds, {tally.Repoints} re-points, {tally.Releases} releases ({tally.Deletions} deleted the original); " +
            $"collisions: {tally.VanishedOriginals} adds to an original deleted meanwhile, {tally.EmptyReleases} releases of nothing; " +
            $"collector: {tally.CollectorRuns} runs, {tally.Collected} orphans deleted"));
    }

    // Operations run to completion (CancellationToken.None): the worker's model must know each outcome.
    private static async Task<Dictionary<string, ContentDigest?>> WorkAsync(
        IImageDedup engine, int worker, byte[][] contents, ContentDigest[] digests, Tally tally, CancellationToken stop)
    {
        var random = new Random(worker);
        var model = new Dictionary<string, ContentDigest?>();
        var prefix = Prefix(worker);
        while (!stop.IsCancellationRequested)
        {
            var holder = prefix + random.Next(3).ToString(CultureInfo.InvariantCulture);
            var pick = random.Next(contents.Length);
            var roll = random.Next(100);
            if (roll < 10)
            {
                // A batch over this worker's holders (one may come twice: the later item wins), its
                // group steps racing the other workers' single operations on the same originals.
                var items = Enumerable.Range(0, 2 + random.Next(4))
                    .Select(_ => (Holder: prefix + random.Next(3).ToString(CultureInfo.InvariantCulture), Pick: random.Next(contents.Length)))
                    .ToList();
                var index = 0;
                await foreach (var result in engine.DefaultScope.IngestManyAsync(
                    items.Select(i => new IngestItem(_ => ValueTask.FromResult<Stream>(new MemoryStream(contents[i.Pick])), new IngestRequest { Holder = i.Holder })).ToAsyncEnumerable(),
                    new IngestManyOptions { MaxItemsPerCommit = 3 },
                    CancellationToken.None))
                {
                    Assert.True(result.Succeeded, result.Error?.ToString());
                    model[items[index].Holder] = digests[items[index].Pick];
                    index++;
                }

                Tally.Add(ref tally.Ingests, items.Count);
                Tally.Add(ref tally.Batches, 1);
            }
            else if (roll < 40)
            {
                var result = await engine.DefaultScope.IngestAsync(new MemoryStream(contents[pick]), new IngestRequest { Holder = holder }, CancellationToken.None);
                Tally.Add(ref tally.Ingests, 1);
                Tally.Add(ref tally.Duplicates, result.StoredNewBytes ? 0 : 1);
                model[holder] = digests[pick];
            }
            else if (roll < 50)
            {
                // No holder: an orphan the collector races to delete while others revive it.
                await engine.DefaultScope.IngestAsync(new MemoryStream(contents[pick]), null, CancellationToken.None);
                Tally.Add(ref tally.Ingests, 1);
            }
            else if (roll < 70)
            {
                var original = await engine.DefaultScope.FindByDigestAsync(digests[pick], CancellationToken.None);
                if (original is null)
                {
                    continue;
                }

                try
                {
                    var change = await engine.DefaultScope.AddReferenceAsync(original.Id, holder, CancellationToken.None);
                    Tally.Add(ref change.PreviousOriginalId is null ? ref tally.Adds : ref tally.Repoints, 1);
                    model[holder] = digests[pick];
                }
                catch (OriginalNotFoundException)
                {
                    // Deleted between the lookup and the add: the holder is unchanged.
                    Tally.Add(ref tally.VanishedOriginals, 1);
                }
            }
            else
            {
                var release = await engine.DefaultScope.ReleaseAsync(holder, CancellationToken.None);
                Tally.Add(ref tally.Releases, 1);
                Tally.Add(ref release.Released ? ref tally.Deletions : ref tally.EmptyReleases, release.Released ? (release.OriginalDeleted ? 1 : 0) : 1);
                model[holder] = null;
            }
        }

        return model;
    }

    private static string Prefix(int worker) => string.Create(CultureInfo.InvariantCulture, $"stress/w{worker}/");

    private static int Setting(string name, int fallback)
        => int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;

    private sealed class Tally
    {
        public long Ingests;
        public long Batches;
        public long Duplicates;
        public long Adds;
        public long Repoints;
        public long Releases;
        public long Deletions;
        public long EmptyReleases;
        public long VanishedOriginals;
        public long CollectorRuns;
        public long Collected;

        public long Operations => Interlocked.Read(ref Ingests) + Interlocked.Read(ref Adds) + Interlocked.Read(ref Repoints) + Interlocked.Read(ref Releases) + Interlocked.Read(ref VanishedOriginals);

        public static void Add(ref long counter, long amount) => Interlocked.Add(ref counter, amount);
    }
}

public sealed class SqliteFileSystemStressTests(ITestOutputHelper output) : StressTests(output)
{
    protected override Task<TestPair> CreatePairAsync() => Task.FromResult(TestPair.SqliteFileSystem());
}

public sealed class PostgresS3StressTests(ITestOutputHelper output, PostgresDatabase database) : StressTests(output), IClassFixture<PostgresDatabase>
{
    protected override Task<TestPair> CreatePairAsync() => TestPair.PostgresS3Async(database);
}
