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
        var live = await Invariants.AssertWholeAsync(references, blobs);
        Assert.Equal([bystander.Id], live.Select(o => o.Id));
        Assert.Null(await engine.DefaultScope.FindByHolderAsync("victim"));
        Assert.Equal(bystander.Id, (await engine.DefaultScope.FindByHolderAsync("bystander"))?.Id);

        // The same upload now succeeds as if nothing had happened.
        var retried = await engine.DefaultScope.IngestAsync(new MemoryStream(await File.ReadAllBytesAsync(_contentFile)), new IngestRequest { Holder = "victim" });
        Assert.True(retried.StoredNewBytes);
        await Invariants.AssertWholeAsync(references, blobs);
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
        var live = await Invariants.AssertWholeAsync(references, blobs);
        Assert.Equal([bystander.Id], live.Select(o => o.Id));
        Assert.Null(await engine.DefaultScope.FindByHolderAsync("victim"));
        Assert.Single(await Invariants.AllBlobKeysAsync(blobs));
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
        var live = await Invariants.AssertWholeAsync(references, blobs);
        Assert.Equal([bystander.Id], live.Select(o => o.Id));
        foreach (var holder in new[] { "victim" }.Concat(Enumerable.Range(1, 5).Select(i => $"victim/{i}")))
        {
            Assert.Null(await references.FindByHolderAsync(string.Empty, holder));
        }

        Assert.Single(await Invariants.AllBlobKeysAsync(blobs));

        // The block was made before the claim: the same upload is refused and stores nothing.
        var content = await File.ReadAllBytesAsync(_contentFile);
        await Assert.ThrowsAsync<BlockedContentException>(() => engine.DefaultScope.IngestAsync(new MemoryStream(content), new IngestRequest { Holder = "victim" }));
        Assert.Equal([bystander.Id], (await Invariants.AssertWholeAsync(references, blobs)).Select(o => o.Id));
    }

    private async Task<Original> SetUpBystanderAsync()
    {
        await using var provider = ProviderPair.Build(_pair.Settings);
        var engine = provider.GetRequiredService<IImageDedup>();
        return (await engine.DefaultScope.IngestAsync(new MemoryStream(TestImages.UniquePng(30_000)), new IngestRequest { Holder = "bystander" })).Original;
    }

    private async Task CrashAsync(string point, string scenario)
    {
        var crash = await ChildProcess.RunAsync(_pair, "crash", point, scenario, _contentFile, "victim");
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
