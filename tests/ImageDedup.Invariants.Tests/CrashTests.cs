using ImageDedup.Testing.Engine;
using ImageDedup.ProcessHost;
using ImageDedup.Testing.Processes;
using ImageDedup.Storage;
using ImageDedup.Testing.Content;
using ImageDedup.Testing.Servers;
using Microsoft.Extensions.DependencyInjection;

namespace ImageDedup.Invariants.Tests;

/// <summary>
/// A child process is SIGKILLed at a named point of the protocol — no finally block, no flush —
/// and a fresh process then runs reconcile. Afterwards the invariants hold, a bystander original
/// is untouched, and the interrupted operation left either its whole effect or none of it.
/// </summary>
public abstract class CrashTests : IAsyncLifetime
{
    private TestPair _pair = null!;
    private string _contentFile = null!;

    public static TheoryData<string> IngestPoints => ["after-pending-row", "after-blob-write", "before-live-commit"];

    public static TheoryData<string> ReleasePoints => ["after-deleting-claim", "after-blob-delete", "before-row-delete"];

    public static TheoryData<string> PurgePoints => ["purge-after-claim", "purge-after-blob-delete", "purge-after-release-batch", "before-row-delete"];
    public static TheoryData<string> BatchPoints =>
        ["batch-after-attach", "batch-after-pending-rows", "batch-after-first-blob", "batch-after-blob-writes", "batch-before-promote", "batch-after-promote", "batch-after-abandon-claim"];

    protected abstract Task<TestPair> CreatePairAsync();

    public async Task InitializeAsync()
    {
        _pair = await CreatePairAsync();
        _contentFile = Path.GetTempFileName();
        await File.WriteAllBytesAsync(_contentFile, TestImages.UniquePng(40_000));
    }

    public Task DisposeAsync()
    {
        File.Delete(_contentFile);
        _pair.Dispose();
        return Task.CompletedTask;
    }

    [Theory]
    [MemberData(nameof(IngestPoints))]
    public async Task Crash_during_ingest_leaves_nothing_after_reconcile(string point)
    {
        var bystander = await SetUpBystanderAsync();

        await CrashAsync(point, "ingest");
        await ReconcileInFreshProcessAsync();

        await using var provider = ProviderPair.Build(_pair.Settings);
        var (engine, references, blobs) = Resolve(provider);
        var live = await StoreInvariants.AssertWholeAsync(references, blobs);
        Assert.Equal([bystander.Id], live.Select(o => o.Id));
        Assert.Null(await engine.DefaultScope.FindByHolderAsync("victim"));
        Assert.Equal(bystander.Id, (await engine.DefaultScope.FindByHolderAsync("bystander"))?.Id);

        // The same upload now succeeds as if nothing had happened.
        var retried = await engine.DefaultScope.IngestAsync(new MemoryStream(await File.ReadAllBytesAsync(_contentFile)), new IngestRequest { Holder = "victim" });
        Assert.True(retried.StoredNewBytes);
        await StoreInvariants.AssertWholeAsync(references, blobs);
    }

    [Theory]
    [MemberData(nameof(ReleasePoints))]
    public async Task Crash_during_the_last_release_finishes_the_deletion_on_reconcile(string point)
    {
        var bystander = await SetUpBystanderAsync();

        await CrashAsync(point, "release");
        await ReconcileInFreshProcessAsync();

        await using var provider = ProviderPair.Build(_pair.Settings);
        var (engine, references, blobs) = Resolve(provider);
        var live = await StoreInvariants.AssertWholeAsync(references, blobs);
        Assert.Equal([bystander.Id], live.Select(o => o.Id));
        Assert.Null(await engine.DefaultScope.FindByHolderAsync("victim"));
        Assert.Single(await StoreInvariants.AllBlobKeysAsync(blobs));
    }

    [Theory]
    [MemberData(nameof(PurgePoints))]
    public async Task Crash_during_a_purge_is_finished_by_the_regular_reconcile_and_the_block_holds(string point)
    {
        var bystander = await SetUpBystanderAsync();

        await CrashAsync(point, "purge");
        await ReconcileInFreshProcessAsync();

        await using var provider = ProviderPair.Build(_pair.Settings);
        var (engine, references, blobs) = Resolve(provider);
        var live = await StoreInvariants.AssertWholeAsync(references, blobs);
        Assert.Equal([bystander.Id], live.Select(o => o.Id));
        foreach (var holder in new[] { "victim" }.Concat(Enumerable.Range(1, 5).Select(i => $"victim/{i}")))
        {
            Assert.Null(await references.FindByHolderAsync(string.Empty, holder));
        }

        Assert.Single(await StoreInvariants.AllBlobKeysAsync(blobs));

        // The block was made before the claim: the same upload is refused and stores nothing.
        var content = await File.ReadAllBytesAsync(_contentFile);
        await Assert.ThrowsAsync<BlockedContentException>(() => engine.DefaultScope.IngestAsync(new MemoryStream(content), new IngestRequest { Holder = "victim" }));
        Assert.Equal([bystander.Id], (await StoreInvariants.AssertWholeAsync(references, blobs)).Select(o => o.Id));
    }

    [Theory]
    [MemberData(nameof(BatchPoints))]
    public async Task Crash_at_any_step_of_a_batch_leaves_every_item_whole_or_absent_after_reconcile(string point)
    {
        var bystanderBytes = TestImages.UniquePng(30_000);
        var bystander = await SetUpBystanderAsync(bystanderBytes);
        var folder = Directory.CreateTempSubdirectory("imagededup-crash-batch-").FullName;
        try
        {
            // New images, a duplicate of one of them, a duplicate of the stored bystander, and one past
            // a chunk (read twice); the host adds an item whose bytes change before its write.
            var a = TestImages.UniquePng(40_000);
            var files = new Dictionary<string, byte[]>
            {
                ["a.png"] = a,
                ["a-again.png"] = a,
                ["b.png"] = TestImages.UniquePng(41_000),
                ["c.png"] = TestImages.UniquePng(42_000),
                ["dup-of-bystander.png"] = bystanderBytes,
                ["z-large.png"] = TestImages.UniquePng(2_500_000),
            };
            foreach (var (name, bytes) in files)
            {
                await File.WriteAllBytesAsync(Path.Combine(folder, name), bytes);
            }

            await CrashAsync(point, "batch", folder, "victim/");
            await ReconcileInFreshProcessAsync();

            await using var provider = ProviderPair.Build(_pair.Settings);
            var (engine, references, blobs) = Resolve(provider);
            var live = await StoreInvariants.AssertWholeAsync(references, blobs);
            Assert.Contains(bystander.Id, live.Select(o => o.Id));
            Assert.Equal(bystander.Id, (await engine.DefaultScope.FindByHolderAsync("bystander"))?.Id);
            Assert.Null(await engine.DefaultScope.FindByHolderAsync("victim/changing"));
            foreach (var (name, bytes) in files)
            {
                // Whole or absent: a holder that exists points at exactly its file's bytes.
                if (await engine.DefaultScope.FindByHolderAsync("victim/" + name) is { } original)
                {
                    Assert.Equal(TestImages.DigestOf(bytes), original.Digest);
                }
            }

            Assert.All(live, o => Assert.Contains(o.Digest, files.Values.Select(b => TestImages.DigestOf(b))));

            // The same batch now succeeds as if nothing had happened (the changing item aside).
            var results = new List<IngestItemResult>();
            await foreach (var result in engine.DefaultScope.IngestManyAsync(BatchScenario.Items(folder, "victim/").ToAsyncEnumerable()))
            {
                results.Add(result);
            }

            Assert.Equal(files.Count, results.Count(r => r.Succeeded));
            Assert.IsType<ContentIntegrityException>(Assert.Single(results, r => !r.Succeeded).Error);
            var whole = await StoreInvariants.AssertWholeAsync(references, blobs);
            Assert.Equal(files.Values.Select(b => TestImages.DigestOf(b)).Distinct().Count(), whole.Count);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private async Task<Original> SetUpBystanderAsync(byte[]? bytes = null)
    {
        await using var provider = ProviderPair.Build(_pair.Settings);
        var engine = provider.GetRequiredService<IImageDedup>();
        return (await engine.DefaultScope.IngestAsync(new MemoryStream(bytes ?? TestImages.UniquePng(30_000)), new IngestRequest { Holder = "bystander" })).Original;
    }

    private async Task CrashAsync(string point, string scenario, string? content = null, string holder = "victim")
    {
        var crash = await ChildProcess.RunAsync(_pair, "crash", point, scenario, content ?? _contentFile, holder);
        Assert.True(crash.ExitCode == ChildProcessRunner.Killed, $"expected the child to kill itself at {point}; exit {crash.ExitCode}: {crash.Output}{crash.Error}");
        Assert.DoesNotContain("survived", crash.Output, StringComparison.Ordinal);
    }

    private async Task ReconcileInFreshProcessAsync()
    {
        // Reconcile takes a pending row only once no ingest could still be writing it: twice the
        // ingest write timeout. The killed child is gone; a short timeout, waited out, says so.
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        var reconcile = await ChildProcess.RunAsync(_pair, "maintain", "0", "0", "0.1");
        Assert.True(reconcile.ExitCode == 0, $"reconcile failed: {reconcile.Output}{reconcile.Error}");
    }

    private static (IImageDedup Engine, IReferenceStore References, IBlobStore Blobs) Resolve(IServiceProvider provider)
        => (provider.GetRequiredService<IImageDedup>(), provider.GetRequiredService<IReferenceStore>(), provider.GetRequiredService<IBlobStore>());
}

public sealed class SqliteFileSystemCrashTests : CrashTests
{
    protected override Task<TestPair> CreatePairAsync() => Task.FromResult(TestPair.SqliteFileSystem());
}

public sealed class PostgresS3CrashTests(PostgresDatabase database) : CrashTests, IClassFixture<PostgresDatabase>
{
    protected override Task<TestPair> CreatePairAsync() => TestPair.PostgresS3Async(database);
}
