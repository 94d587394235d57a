using ImageDedup.Testing.Engine;
using System.Collections.Concurrent;
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
/// Purges race ingests, adds, reads and releases of the same bytes: workers keep uploading, referencing,
/// reading (verified) and releasing a few contents while a purger takes them down one after another,
/// half of them with a block, and a checker watches the blocked ones. No read ever finds a live
/// original without its bytes; once a purge with block has returned, no original of those bytes is
/// live again and every ingest of them that starts afterwards is refused; afterwards the stores are
/// whole and, released, empty. IMAGEDEDUP_STRESS_WORKERS and IMAGEDEDUP_STRESS_SECONDS (halved) lengthen the run.
/// </summary>
public abstract class PurgeStressTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly int Workers = Setting("IMAGEDEDUP_STRESS_WORKERS", 8);
    private static readonly int Seconds = Math.Max(5, Setting("IMAGEDEDUP_STRESS_SECONDS", 20) / 2);

    private TestPair _pair = null!;

    protected abstract Task<TestPair> CreatePairAsync();

    public async Task InitializeAsync() => _pair = await CreatePairAsync();

    public Task DisposeAsync()
    {
        _pair.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Purges_racing_ingests_adds_and_reads_keep_every_invariant_and_blocked_bytes_never_come_back()
    {
        await using var provider = ProviderPair.Build(_pair.Settings, o =>
        {
            o.OrphanGracePeriod = TimeSpan.Zero;
            o.PurgeBatchSize = 3;
        });
        var engine = provider.GetRequiredService<IImageDedup>();
        var references = provider.GetRequiredService<IReferenceStore>();
        var contents = Enumerable.Range(0, 8).Select(i => TestImages.Png(seed: 7000 + i, length: 3_000 + (i * 2_000))).ToArray();
        var digests = contents.Select(c => TestImages.DigestOf(c)).ToArray();
        var blockedAt = new ConcurrentDictionary<int, long>(); // content → when its purge with block returned
        var violations = new ConcurrentQueue<string>();
        var tally = new Tally();

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(Seconds));
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, Workers).Select(w => Task.Run(() => WorkAsync(engine, w, contents, digests, blockedAt, violations, tally, stop.Token))).ToList();
        var purger = Task.Run(async () =>
        {
            var random = new Random(4242);
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(random.Next(50, 250));
                var pick = random.Next(contents.Length);
                if (blockedAt.ContainsKey(pick))
                {
                    continue;
                }

                // Even contents are blocked with their purge (at most once each); odd ones purged again and again.
                var block = pick % 2 == 0;
                var result = await engine.DefaultScope.PurgeAsync(digests[pick], new PurgeRequest { RequestedBy = "stress", Reason = $"round {tally.Purges}", Block = block }, CancellationToken.None);
                var returned = Stopwatch.GetTimestamp();
                if (!result.Finished)
                {
                    violations.Enqueue($"purge of content {pick} left {result.OriginalsUnfinished.Count} originals unfinished");
                }

                if (block)
                {
                    blockedAt[pick] = returned;
                }

                Tally.Add(ref tally.Purges, 1);
                Tally.Add(ref tally.Purged, result.OriginalsPurged.Count);
                Tally.Add(ref tally.HoldersReleased, result.HoldersReleased);
            }
        });
        var checker = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                foreach (var pick in blockedAt.Keys)
                {
                    if (await references.FindLiveAsync(string.Empty, digests[pick], CancellationToken.None) is { } live)
                    {
                        violations.Enqueue($"blocked content {pick} is live again as {live.Id}");
                    }
                }

                Tally.Add(ref tally.Checks, 1);
                await Task.Delay(20);
            }
        });

        await Task.WhenAll(workers.Append(purger).Append(checker));
        clock.Stop();

        Assert.Empty(violations);
        var blobs = provider.GetRequiredService<IBlobStore>();
        var live = await StoreInvariants.AssertWholeAsync(references, blobs);
        Assert.DoesNotContain(live, o => blockedAt.Keys.Any(pick => digests[pick] == o.Digest));
        Assert.True(tally.Purges > 3 && !blockedAt.IsEmpty, $"only {tally.Purges} purges ran");
        Assert.True(tally.Refused > 0, "no ingest met a block");
        Assert.True(tally.Reads > 0, "no read ran");

        for (var w = 0; w < Workers; w++)
        {
            await engine.DefaultScope.ReleasePrefixAsync(Prefix(w));
        }

        await engine.CollectGarbageAsync();
        await engine.ReconcileAsync(new ReconcileOptions { GracePeriod = TimeSpan.Zero });
        await StoreInvariants.AssertEmptyAsync(references, blobs);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{_pair.Name}: {Workers} workers, {clock.Elapsed.TotalSeconds:0.0} s: {tally.Ingests} ingests ({tally.Refused} refused as blocked), {tally.Adds} adds, " +
            $"{tally.Reads} verified reads ({tally.ReadsOfPurged} found their original purged), {tally.Releases} releases; " +
            $"{tally.Purges} purges took {tally.Purged} originals and released {tally.HoldersReleased} holders; {blockedAt.Count} contents blocked; {tally.Checks} checks"));
    }

    // Operations run to completion (CancellationToken.None), as in StressTests.
    private static async Task WorkAsync(
        IImageDedup engine, int worker, byte[][] contents, ContentDigest[] digests, ConcurrentDictionary<int, long> blockedAt,
        ConcurrentQueue<string> violations, Tally tally, CancellationToken stop)
    {
        var random = new Random(worker);
        var prefix = Prefix(worker);
        while (!stop.IsCancellationRequested)
        {
            var holder = prefix + random.Next(4).ToString(CultureInfo.InvariantCulture);
            var pick = random.Next(contents.Length);
            var roll = random.Next(100);
            if (roll < 40)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    await engine.DefaultScope.IngestAsync(new MemoryStream(contents[pick]), new IngestRequest { Holder = holder }, CancellationToken.None);
                    if (blockedAt.TryGetValue(pick, out var blocked) && started > blocked)
                    {
                        violations.Enqueue($"an ingest of blocked content {pick} that started after its purge succeeded");
                    }
                }
                catch (BlockedContentException)
                {
                    Tally.Add(ref tally.Refused, 1);
                }

                Tally.Add(ref tally.Ingests, 1);
            }
            else if (roll < 60)
            {
                var original = await engine.DefaultScope.FindByDigestAsync(digests[pick], CancellationToken.None);
                if (original is null)
                {
                    continue;
                }

                try
                {
                    await engine.DefaultScope.AddReferenceAsync(original.Id, holder, CancellationToken.None);
                    Tally.Add(ref tally.Adds, 1);
                }
                catch (Exception ex) when (ex is OriginalNotFoundException or BlockedContentException)
                {
                    // Purged, deleted or blocked between the lookup and the add: the holder is unchanged.
                }
            }
            else if (roll < 85)
            {
                if (await engine.DefaultScope.FindByHolderAsync(holder, CancellationToken.None) is not { } original)
                {
                    continue;
                }

                try
                {
                    // Verified: a live original whose bytes are gone or wrong fails here, not silently.
                    await using var read = await engine.DefaultScope.OpenReadAsync(original.Id, new ReadOptions { Verify = true }, CancellationToken.None);
                    using var copy = new MemoryStream();
                    await read.CopyToAsync(copy, CancellationToken.None);
                    var expected = Array.IndexOf(digests, original.Digest);
                    if (!copy.ToArray().AsSpan().SequenceEqual(contents[expected]))
                    {
                        violations.Enqueue($"a read of {original.Id} returned other bytes");
                    }
                }
                catch (OriginalNotFoundException)
                {
                    Tally.Add(ref tally.ReadsOfPurged, 1);
                }

                Tally.Add(ref tally.Reads, 1);
            }
            else
            {
                await engine.DefaultScope.ReleaseAsync(holder, CancellationToken.None);
                Tally.Add(ref tally.Releases, 1);
            }
        }
    }

    private static string Prefix(int worker) => string.Create(CultureInfo.InvariantCulture, $"purge-stress/w{worker}/");

    private static int Setting(string name, int fallback)
        => int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;

    private sealed class Tally
    {
        public long Ingests;
        public long Refused;
        public long Adds;
        public long Reads;
        public long ReadsOfPurged;
        public long Releases;
        public long Purges;
        public long Purged;
        public long HoldersReleased;
        public long Checks;

        public static void Add(ref long counter, long amount) => Interlocked.Add(ref counter, amount);
    }
}

public sealed class SqliteFileSystemPurgeStressTests(ITestOutputHelper output) : PurgeStressTests(output)
{
    protected override Task<TestPair> CreatePairAsync() => Task.FromResult(TestPair.SqliteFileSystem());
}

public sealed class PostgresS3PurgeStressTests(ITestOutputHelper output, PostgresDatabase database) : PurgeStressTests(output), IClassFixture<PostgresDatabase>
{
    protected override Task<TestPair> CreatePairAsync() => TestPair.PostgresS3Async(database);
}
