using ImageDedup.Testing.Content;
using Xunit;

namespace ImageDedup.Testing.Engine;

/// <summary>
/// Scope quotas (<see cref="ScopeQuota"/>): new bytes are refused before anything is stored, bytes the
/// scope already holds never count, and concurrent ingests overshoot by at most one in-flight image
/// per concurrent ingest.
/// </summary>
public abstract partial class EngineConformanceTests
{
    [Fact]
    public async Task An_ingest_past_the_byte_quota_is_refused_before_anything_is_stored()
    {
        var first = TestImages.UniquePng(3_000);
        var second = TestImages.UniquePng(2_000);
        var engine = CreateEngine(o => o.ScopeQuotas[""] = new ScopeQuota { MaxStoredBytes = 4_000 });
        await engine.DefaultScope.IngestAsync(new MemoryStream(first), new IngestRequest { Holder = "a/1" });
        var blobsBefore = await ListBlobsAsync();

        var refused = await Assert.ThrowsAsync<QuotaExceededException>(
            () => engine.DefaultScope.IngestAsync(new MemoryStream(second), new IngestRequest { Holder = "a/2" }));

        Assert.Equal("", refused.Scope);
        Assert.Equal(QuotaMeasure.StoredBytes, refused.Measure);
        Assert.Equal(4_000, refused.Limit);
        Assert.Equal(3_000, refused.Usage);
        Assert.Equal(2_000, refused.Requested);
        Assert.Null(await engine.DefaultScope.FindByHolderAsync("a/2"));
        Assert.Single(await ListAllOriginalsAsync(engine));
        Assert.Equal(blobsBefore, await ListBlobsAsync());
        var stats = await engine.DefaultScope.GetStatisticsAsync();
        Assert.Equal(3_000, stats.StoredBytes);
        Assert.Equal(0, stats.PendingBytes);
    }

    [Fact]
    public async Task Bytes_the_scope_already_holds_never_count_against_its_quota()
    {
        var image = TestImages.UniquePng(3_000);
        var engine = CreateEngine(o => o.ScopeQuotas[""] = new ScopeQuota { MaxStoredBytes = 3_000, MaxOriginals = 1 });
        await engine.DefaultScope.IngestAsync(new MemoryStream(image), new IngestRequest { Holder = "a/1" });

        var again = await engine.DefaultScope.IngestAsync(new MemoryStream(image), new IngestRequest { Holder = "a/2" });
        var withoutHolder = await engine.DefaultScope.IngestAsync(new MemoryStream(image));

        Assert.False(again.StoredNewBytes);
        Assert.False(withoutHolder.StoredNewBytes);
        Assert.Equal(2, (await engine.DefaultScope.GetStatisticsAsync()).References);
        await Assert.ThrowsAsync<QuotaExceededException>(() => engine.DefaultScope.IngestAsync(new MemoryStream(TestImages.UniquePng(200))));
    }

    [Fact]
    public async Task Orphans_in_their_grace_period_count_and_collected_ones_free_the_quota()
    {
        var engine = CreateEngine(o =>
        {
            o.ScopeQuotas[""] = new ScopeQuota { MaxOriginals = 1 };
            o.OrphanGracePeriod = TimeSpan.Zero;
            o.DeletionGracePeriod = TimeSpan.FromHours(1);
        });
        await engine.DefaultScope.IngestAsync(new MemoryStream(TestImages.UniquePng(500)), new IngestRequest { Holder = "a/1" });
        await engine.DefaultScope.ReleaseAsync("a/1");

        var refused = await Assert.ThrowsAsync<QuotaExceededException>(() => engine.DefaultScope.IngestAsync(new MemoryStream(TestImages.UniquePng(500))));
        Assert.Equal(QuotaMeasure.Originals, refused.Measure);
        Assert.Equal(1, refused.Usage);
        Assert.Equal(1, refused.Requested);

        // Once the orphan is deleted the scope is empty again.
        var collector = CreateEngine(o => o.OrphanGracePeriod = TimeSpan.Zero);
        Assert.Equal(1, (await collector.CollectGarbageAsync()).OriginalsDeleted);
        Assert.True((await engine.DefaultScope.IngestAsync(new MemoryStream(TestImages.UniquePng(500)))).StoredNewBytes);
    }

    [Fact]
    public async Task Named_quotas_override_the_default_and_other_scopes_are_unaffected()
    {
        var engine = CreateEngine(o =>
        {
            o.DefaultScopeQuota = new ScopeQuota { MaxOriginals = 0 };
            o.ScopeQuotas["roomy"] = new ScopeQuota { MaxOriginals = 2 };
            o.ScopeQuotas["unlimited"] = new ScopeQuota();
        });

        var refused = await Assert.ThrowsAsync<QuotaExceededException>(() => engine.Scope("tight").IngestAsync(new MemoryStream(TestImages.UniquePng(100))));
        Assert.Equal("tight", refused.Scope);
        Assert.Equal(0, refused.Limit);
        await engine.Scope("roomy").IngestAsync(new MemoryStream(TestImages.UniquePng(100)));
        await engine.Scope("roomy").IngestAsync(new MemoryStream(TestImages.UniquePng(100)));
        await Assert.ThrowsAsync<QuotaExceededException>(() => engine.Scope("roomy").IngestAsync(new MemoryStream(TestImages.UniquePng(100))));
        for (var i = 0; i < 3; i++)
        {
            await engine.Scope("unlimited").IngestAsync(new MemoryStream(TestImages.UniquePng(100)));
        }

        Assert.Equal(3, (await engine.Scope("unlimited").GetStatisticsAsync()).UniqueOriginals);
        Assert.Equal(0, (await engine.Scope("tight").GetStatisticsAsync()).PendingOriginals);
    }

    [Fact]
    public async Task Concurrent_ingests_overshoot_the_quota_by_at_most_one_image_per_concurrent_ingest()
    {
        // 24 distinct images of one size, at most 4 in flight at once, racing to a limit of 5½ images.
        // The last successful ingest to be checked saw every other success except those in flight with
        // it (at most 3), so successes ≤ ⌊limit / size⌋ + 3 = 8; and a refusal saw more than 4½ images
        // counted, all of which succeed, so successes ≥ 5.
        const int size = 2_000;
        const int concurrency = 4;
        const long limit = (5 * size) + (size / 2);
        var engine = CreateEngine(o => o.ScopeQuotas[""] = new ScopeQuota { MaxStoredBytes = limit });
        var images = Enumerable.Range(0, 24).Select(_ => TestImages.UniquePng(size)).ToList();
        using var gate = new SemaphoreSlim(concurrency);
        var refused = 0;

        await Task.WhenAll(images.Select((image, i) => Task.Run(async () =>
        {
            await gate.WaitAsync();
            try
            {
                await engine.DefaultScope.IngestAsync(new MemoryStream(image), new IngestRequest { Holder = $"h/{i}" });
            }
            catch (QuotaExceededException)
            {
                Interlocked.Increment(ref refused);
            }
            finally
            {
                gate.Release();
            }
        })));

        var stats = await engine.DefaultScope.GetStatisticsAsync();
        var stored = images.Count - refused;
        Assert.Equal(stored, stats.UniqueOriginals);
        Assert.Equal(stored * (long)size, stats.StoredBytes);
        Assert.Equal(0, stats.PendingOriginals);
        Assert.InRange(stored, (int)(limit / size), (int)(limit / size) + concurrency - 1);
        Assert.Equal(stored, (await ListAllOriginalsAsync(engine)).Count);
        Assert.Equal(stored, (await ListBlobsAsync()).Count);
    }
}
