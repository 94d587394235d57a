using System.Security.Cryptography;
using ImageDedup.Storage;
using ImageDedup.Testing.Content;
using Xunit;

namespace ImageDedup.Testing.Engine;

/// <summary>
/// The engine's behaviour, specified once and run against every pair of stores. A provider's test
/// project derives a concrete class that supplies fresh, empty stores.
/// </summary>
public abstract partial class EngineConformanceTests : EngineTestBase
{
    // ---- The seed's cases ---------------------------------------------------------------

    [Fact]
    public async Task Two_references_release_one_the_original_stays()
    {
        var engine = CreateEngine();
        var bytes = TestImages.UniquePng();
        var first = await engine.DefaultScope.IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = "images/1" });
        var second = await engine.DefaultScope.IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = "images/2" });
        Assert.Equal(first.Original.Id, second.Original.Id);

        var release = await engine.DefaultScope.ReleaseAsync("images/1");

        Assert.True(release.Released);
        Assert.False(release.OriginalDeleted);
        Assert.Equal(1, release.RemainingReferences);
        var original = await engine.DefaultScope.GetAsync(first.Original.Id);
        Assert.NotNull(original);
        Assert.Equal(1, original.ReferenceCount);
        await AssertBlobHoldsAsync(original, bytes);
    }

    [Fact]
    public async Task Releasing_the_last_reference_deletes_row_and_blob()
    {
        var engine = CreateEngine();
        var bytes = TestImages.UniquePng();
        var ingest = await engine.DefaultScope.IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = "images/1" });
        await engine.DefaultScope.IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = "images/2" });

        await engine.DefaultScope.ReleaseAsync("images/1");
        var last = await engine.DefaultScope.ReleaseAsync("images/2");

        Assert.True(last.OriginalDeleted);
        Assert.Equal(0, last.RemainingReferences);
        Assert.Null(await engine.DefaultScope.GetAsync(ingest.Original.Id));
        Assert.Null(await References.GetAsync(ingest.Original.Id));
        Assert.Null(await Blobs.GetPropertiesAsync(ingest.Original.StorageKey));
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task Releasing_an_unknown_holder_or_twice_changes_nothing()
    {
        var engine = CreateEngine();
        var bytes = TestImages.UniquePng();
        var ingest = await engine.DefaultScope.IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = "images/1" });
        await engine.DefaultScope.IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = "images/2" });

        var unknown = await engine.DefaultScope.ReleaseAsync("images/never-existed");
        var once = await engine.DefaultScope.ReleaseAsync("images/1");
        var twice = await engine.DefaultScope.ReleaseAsync("images/1");

        Assert.False(unknown.Released);
        Assert.True(once.Released);
        Assert.False(twice.Released);
        var original = await engine.DefaultScope.GetAsync(ingest.Original.Id);
        Assert.NotNull(original);
        Assert.Equal(1, original.ReferenceCount);
        await AssertBlobHoldsAsync(original, bytes);
    }

    [Fact]
    public async Task Three_styles_of_one_upload_release_two_it_stays_release_the_third_it_is_gone()
    {
        var engine = CreateEngine();
        var bytes = TestImages.UniquePng(20_000);
        var upload = await engine.DefaultScope.IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = "projects/7/images/1/original" });
        await engine.DefaultScope.AddReferenceAsync(upload.Original.Id, "projects/7/images/1/thumbnail");
        await engine.DefaultScope.AddReferenceAsync(upload.Original.Id, "projects/7/images/1/web");

        Assert.Equal(3, (await engine.DefaultScope.GetAsync(upload.Original.Id))!.ReferenceCount);
        await engine.DefaultScope.ReleaseAsync("projects/7/images/1/original");
        await engine.DefaultScope.ReleaseAsync("projects/7/images/1/thumbnail");
        var stays = await engine.DefaultScope.GetAsync(upload.Original.Id);
        Assert.NotNull(stays);
        await AssertBlobHoldsAsync(stays, bytes);

        var last = await engine.DefaultScope.ReleaseAsync("projects/7/images/1/web");
        Assert.True(last.OriginalDeleted);
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task The_same_bytes_twice_store_one_blob_with_two_references_and_write_nothing_the_second_time()
    {
        var (counting, probe) = StoreFaults.Count(Blobs);
        var engine = CreateEngine(wrapBlobs: _ => counting);
        var bytes = TestImages.UniquePng(100_000);

        var first = await engine.DefaultScope.IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = "a" });
        var second = await engine.DefaultScope.IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = "b" });

        Assert.True(first.StoredNewBytes);
        Assert.False(second.StoredNewBytes);
        Assert.True(second.ReferenceAdded);
        Assert.Equal(first.Original.Id, second.Original.Id);
        Assert.Equal(2, second.Original.ReferenceCount);
        Assert.Equal(1, probe.Calls.GetValueOrDefault(nameof(IBlobStore.WriteAsync)));
        Assert.Single(await ListBlobsAsync());
    }

    // ---- Ingest ---------------------------------------------------------------------------

    [Fact]
    public async Task Ingest_reports_digest_length_type_and_stores_the_exact_bytes()
    {
        var engine = CreateEngine();
        var bytes = TestImages.Jpeg(seed: 42, length: 10_000);

        var result = await engine.DefaultScope.IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = "h" });

        Assert.Equal(TestImages.DigestOf(bytes), result.Original.Digest);
        Assert.Equal(bytes.Length, result.Original.Length);
        Assert.Equal("image/jpeg", result.Original.ContentType);
        Assert.Equal(OriginalState.Live, result.Original.State);
        Assert.Equal(1, result.Original.ReferenceCount);
        Assert.True(result.ReferenceAdded);
        await AssertBlobHoldsAsync(result.Original, bytes);
    }

    [Theory]
    [InlineData(1_000, 100)]
    [InlineData(64 * 1024, 7_000)]
    [InlineData(300_000, 1_000)]
    [InlineData(300_000, int.MaxValue)]
    public async Task Non_seekable_streams_in_small_reads_are_stored_exactly(int length, int maxChunk)
    {
        var engine = CreateEngine();
        var bytes = TestImages.Png(seed: length ^ maxChunk, length);

        var result = await engine.DefaultScope.IngestAsync(NonSeekableStream.Over(bytes, maxChunk), new IngestRequest { Holder = "h" });

        Assert.Equal(TestImages.DigestOf(bytes), result.Original.Digest);
        await AssertBlobHoldsAsync(result.Original, bytes);
    }

    [Fact]
    public async Task Ingest_reads_from_the_current_position_of_a_seekable_stream()
    {
        var engine = CreateEngine();
        var bytes = TestImages.UniquePng(200_000);
        var padded = new byte[bytes.Length + 10];
        bytes.CopyTo(padded, 10);
        var stream = new MemoryStream(padded) { Position = 10 };

        var result = await engine.DefaultScope.IngestAsync(stream);

        await AssertBlobHoldsAsync(result.Original, bytes);
    }

    [Fact]
    public async Task Reads_verify_and_ranges_return_the_stored_bytes()
    {
        var engine = CreateEngine();
        var bytes = TestImages.UniquePng(150_000);
        var result = await engine.DefaultScope.IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = "h" });

        await using (var verified = await engine.DefaultScope.OpenReadAsync(result.Original.Id, new ReadOptions { Verify = true }))
        {
            Assert.Equal(bytes, await ReadAllAsync(verified));
        }

        await using var range = await engine.DefaultScope.OpenReadAsync(result.Original.Id, new ReadOptions { Range = new ByteRange(1000, 500) });
        Assert.Equal(bytes.AsSpan(1000, 500).ToArray(), await ReadAllAsync(range));
    }

    [Fact]
    public async Task A_read_racing_the_last_release_finds_no_original_and_a_live_one_without_bytes_is_an_integrity_failure()
    {
        var intercepting = new InterceptingBlobStore(Blobs);
        var engine = CreateEngine(wrapBlobs: _ => intercepting);
        var gone = await engine.DefaultScope.IngestAsync(new MemoryStream(TestImages.UniquePng()), new IngestRequest { Holder = "h/1" });
        intercepting.BeforeOpenRead = async _ =>
        {
            // Between the engine's row lookup and its blob open, the last holder lets go.
            intercepting.BeforeOpenRead = null;
            Assert.True((await engine.DefaultScope.ReleaseAsync("h/1")).OriginalDeleted);
        };

        var notFound = await Assert.ThrowsAsync<OriginalNotFoundException>(() => engine.DefaultScope.OpenReadAsync(gone.Original.Id));

        Assert.Equal(gone.Original.Id, notFound.OriginalId);
        var live = await engine.DefaultScope.IngestAsync(new MemoryStream(TestImages.UniquePng()), new IngestRequest { Holder = "h/2" });
        await Blobs.DeleteAsync(live.Original.StorageKey);
        await Assert.ThrowsAsync<ContentIntegrityException>(() => engine.DefaultScope.OpenReadAsync(live.Original.Id));
    }

    [Fact]
    public async Task Lookups_by_id_digest_and_holder_find_the_original()
    {
        var engine = CreateEngine();
        var bytes = TestImages.UniquePng();
        var result = await engine.DefaultScope.IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = "images/9" });

        Assert.Equal(result.Original.Id, (await engine.DefaultScope.GetAsync(result.Original.Id))?.Id);
        Assert.Equal(result.Original.Id, (await engine.DefaultScope.FindByDigestAsync(TestImages.DigestOf(bytes)))?.Id);
        Assert.Equal(result.Original.Id, (await engine.DefaultScope.FindByHolderAsync("images/9"))?.Id);
        Assert.Null(await engine.DefaultScope.GetAsync(Guid.NewGuid()));
        Assert.Null(await engine.DefaultScope.FindByDigestAsync(TestImages.DigestOf(TestImages.UniquePng())));
        Assert.Null(await engine.DefaultScope.FindByHolderAsync("images/10"));
    }

    // ---- Named references --------------------------------------------------------------------

    [Fact]
    public async Task Adding_the_same_reference_twice_changes_nothing()
    {
        var engine = CreateEngine();
        var result = await engine.DefaultScope.IngestAsync(new MemoryStream(TestImages.UniquePng()), new IngestRequest { Holder = "h/1" });

        var again = await engine.DefaultScope.AddReferenceAsync(result.Original.Id, "h/1");

        Assert.False(again.Added);
        Assert.Equal(1, again.Original.ReferenceCount);
    }

    [Fact]
    public async Task Re_pointing_a_holder_releases_its_old_original_and_deletes_it_when_it_was_the_last()
    {
        var engine = CreateEngine();
        var oldBytes = TestImages.UniquePng();
        var newBytes = TestImages.UniquePng();
        var old = await engine.DefaultScope.IngestAsync(new MemoryStream(oldBytes), new IngestRequest { Holder = "images/1" });
        var fresh = await engine.DefaultScope.IngestAsync(new MemoryStream(newBytes), new IngestRequest { Holder = "images/2" });

        var moved = await engine.DefaultScope.AddReferenceAsync(fresh.Original.Id, "images/1");

        Assert.True(moved.Added);
        Assert.Equal(old.Original.Id, moved.PreviousOriginalId);
        Assert.True(moved.PreviousOriginalDeleted);
        Assert.Equal(2, moved.Original.ReferenceCount);
        Assert.Null(await engine.DefaultScope.GetAsync(old.Original.Id));
        Assert.Null(await Blobs.GetPropertiesAsync(old.Original.StorageKey));
    }

    [Fact]
    public async Task Re_pointing_through_ingest_releases_the_old_original()
    {
        var engine = CreateEngine();
        var old = await engine.DefaultScope.IngestAsync(new MemoryStream(TestImages.UniquePng()), new IngestRequest { Holder = "avatar/5" });

        var replaced = await engine.DefaultScope.IngestAsync(new MemoryStream(TestImages.UniquePng()), new IngestRequest { Holder = "avatar/5" });

        Assert.NotEqual(old.Original.Id, replaced.Original.Id);
        Assert.Null(await engine.DefaultScope.GetAsync(old.Original.Id));
        Assert.Equal(replaced.Original.Id, (await engine.DefaultScope.FindByHolderAsync("avatar/5"))?.Id);
        Assert.Single(await ListBlobsAsync());
    }

    [Fact]
    public async Task Adding_a_reference_to_an_unknown_original_throws_and_changes_nothing()
    {
        var engine = CreateEngine();
        var unknown = Guid.NewGuid();

        var ex = await Assert.ThrowsAsync<OriginalNotFoundException>(() => engine.DefaultScope.AddReferenceAsync(unknown, "images/1"));

        Assert.Equal(unknown, ex.OriginalId);
        Assert.Null(await engine.DefaultScope.FindByHolderAsync("images/1"));
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task Scopes_never_share_originals_nor_reveal_each_other()
    {
        var engine = CreateEngine();
        var bytes = TestImages.UniquePng();

        var a = await engine.Scope("tenant-a").IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = "img" });
        var b = await engine.Scope("tenant-b").IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = "img" });

        Assert.NotEqual(a.Original.Id, b.Original.Id);
        Assert.True(a.StoredNewBytes);
        Assert.True(b.StoredNewBytes);
        Assert.Null(await engine.Scope("tenant-b").GetAsync(a.Original.Id));
        await Assert.ThrowsAsync<OriginalNotFoundException>(() => engine.Scope("tenant-b").AddReferenceAsync(a.Original.Id, "steal"));
        await engine.Scope("tenant-a").ReleaseAsync("img");
        Assert.NotNull(await engine.Scope("tenant-b").GetAsync(b.Original.Id));
        Assert.Null(await engine.Scope("tenant-a").GetAsync(a.Original.Id));
    }

    [Fact]
    public void A_scope_is_checked_once_when_it_is_bound()
    {
        var engine = CreateEngine();

        Assert.Equal(string.Empty, engine.DefaultScope.Name);
        Assert.Same(engine.DefaultScope, engine.DefaultScope);
        Assert.Equal("tenant-7", engine.Scope("tenant-7").Name);
        Assert.Throws<ArgumentNullException>(() => engine.Scope(null!));
        Assert.Throws<ArgumentException>(() => engine.Scope("tenant\0"));
        Assert.Throws<ArgumentException>(() => engine.Scope(new string('s', ImageDedupLimits.MaxScopeLength + 1)));
        Assert.Equal(ImageDedupLimits.MaxScopeLength, engine.Scope(new string('s', ImageDedupLimits.MaxScopeLength)).Name.Length);
    }

    // ---- Bulk release, statistics, listing ------------------------------------------------------

    [Fact]
    public async Task Releasing_by_prefix_takes_whole_segments_in_bounded_batches()
    {
        var engine = CreateEngine(o => o.PrefixReleaseBatchSize = 3);
        var shared = await engine.DefaultScope.IngestAsync(new MemoryStream(TestImages.UniquePng()), new IngestRequest { Holder = "projects/70/images/1" });
        var only7 = await engine.DefaultScope.IngestAsync(new MemoryStream(TestImages.UniquePng()), new IngestRequest { Holder = "projects/7/images/9" });
        for (var i = 1; i <= 7; i++)
        {
            await engine.DefaultScope.AddReferenceAsync(shared.Original.Id, $"projects/7/images/{i}");
        }

        await engine.DefaultScope.AddReferenceAsync(shared.Original.Id, "projects/7_/images/1");
        await engine.DefaultScope.AddReferenceAsync(shared.Original.Id, "projects/7%/images/1");

        var result = await engine.DefaultScope.ReleasePrefixAsync("projects/7");

        Assert.Equal(8, result.ReferencesReleased);
        Assert.Equal(1, result.OriginalsDeleted);
        Assert.Equal(0, result.OriginalsOrphaned);
        Assert.Null(await engine.DefaultScope.GetAsync(only7.Original.Id));
        var stays = await engine.DefaultScope.GetAsync(shared.Original.Id);
        Assert.NotNull(stays);
        Assert.Equal(3, stays.ReferenceCount);
        Assert.NotNull(await engine.DefaultScope.FindByHolderAsync("projects/70/images/1"));
        Assert.NotNull(await engine.DefaultScope.FindByHolderAsync("projects/7_/images/1"));
        Assert.NotNull(await engine.DefaultScope.FindByHolderAsync("projects/7%/images/1"));
        Assert.Equal(0, (await engine.DefaultScope.ReleasePrefixAsync("projects/7/")).ReferencesReleased);
    }

    [Fact]
    public async Task Statistics_count_originals_orphans_references_and_savings_per_scope()
    {
        var engine = CreateEngine(o => o.DeletionGracePeriod = TimeSpan.FromHours(1));
        var shared = TestImages.UniquePng(10_000);
        await engine.DefaultScope.IngestAsync(new MemoryStream(shared), new IngestRequest { Holder = "a/1" });
        await engine.DefaultScope.IngestAsync(new MemoryStream(shared), new IngestRequest { Holder = "a/2" });
        await engine.DefaultScope.IngestAsync(new MemoryStream(shared), new IngestRequest { Holder = "a/3" });
        await engine.DefaultScope.IngestAsync(new MemoryStream(TestImages.UniquePng(3_000)), new IngestRequest { Holder = "a/4" });
        await engine.DefaultScope.ReleaseAsync("a/4");
        await engine.Scope("other").IngestAsync(new MemoryStream(TestImages.UniquePng(500)), new IngestRequest { Holder = "b/1" });

        var stats = await engine.DefaultScope.GetStatisticsAsync();
        var all = await engine.GetStatisticsAsync();

        Assert.Equal(2, stats.UniqueOriginals);
        Assert.Equal(13_000, stats.StoredBytes);
        Assert.Equal(1, stats.OrphanCount);
        Assert.Equal(3_000, stats.OrphanBytes);
        Assert.Equal(3, stats.References);
        Assert.Equal(30_000, stats.LogicalBytes);
        Assert.Equal(20_000, stats.BytesSaved);
        Assert.Equal(3.0, stats.AverageReferences);
        Assert.Equal(3, all.UniqueOriginals);
        Assert.Equal(4, all.References);
        Assert.Equal(13_500, all.StoredBytes);
    }

    [Fact]
    public async Task Listings_page_through_every_original_and_holder()
    {
        var engine = CreateEngine();
        var ids = new HashSet<Guid>();
        for (var i = 0; i < 7; i++)
        {
            ids.Add((await engine.DefaultScope.IngestAsync(new MemoryStream(TestImages.UniquePng(100 + i)), new IngestRequest { Holder = $"h/{i}" })).Original.Id);
        }

        var first = ids.First();
        for (var i = 0; i < 5; i++)
        {
            await engine.DefaultScope.AddReferenceAsync(first, $"extra/{i}");
        }

        var listed = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await engine.DefaultScope.ListOriginalsAsync(cursor, pageSize: 3);
            Assert.True(page.Items.Count <= 3);
            listed.AddRange(page.Items.Select(o => o.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        var holders = new List<string>();
        cursor = null;
        do
        {
            var page = await engine.DefaultScope.ListHoldersAsync(first, cursor, pageSize: 2);
            holders.AddRange(page.Items.Select(h => h.Holder));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        Assert.Equal(ids.Order(), listed.Order());
        Assert.Equal(6, holders.Distinct().Count());
        Assert.Contains("extra/4", holders);
        Assert.Empty((await engine.Scope("nobody").ListOriginalsAsync()).Items);
        await Assert.ThrowsAsync<OriginalNotFoundException>(() => engine.Scope("nobody").ListHoldersAsync(first));
    }

    // ---- Grace period and garbage collection ----------------------------------------------------

    [Fact]
    public async Task With_a_grace_period_the_last_release_orphans_and_a_new_ingest_revives()
    {
        var engine = CreateEngine(o => o.DeletionGracePeriod = TimeSpan.FromHours(1));
        var bytes = TestImages.UniquePng();
        var first = await engine.DefaultScope.IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = "h/1" });

        var release = await engine.DefaultScope.ReleaseAsync("h/1");
        Assert.True(release.OriginalOrphaned);
        Assert.False(release.OriginalDeleted);
        Assert.Equal(0, (await engine.CollectGarbageAsync()).OriginalsDeleted);

        var revived = await engine.DefaultScope.IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = "h/2" });
        Assert.Equal(first.Original.Id, revived.Original.Id);
        Assert.False(revived.StoredNewBytes);
        await AssertBlobHoldsAsync(revived.Original, bytes);
    }

    [Fact]
    public async Task Garbage_collection_deletes_orphans_past_the_grace_period()
    {
        var engine = CreateEngine(o => o.OrphanGracePeriod = TimeSpan.Zero);
        var kept = await engine.DefaultScope.IngestAsync(new MemoryStream(TestImages.UniquePng()), new IngestRequest { Holder = "keep" });
        var orphans = new List<Original>();
        for (var i = 0; i < 3; i++)
        {
            orphans.Add((await engine.DefaultScope.IngestAsync(new MemoryStream(TestImages.UniquePng(1000 + i)))).Original);
        }

        var result = await engine.CollectGarbageAsync();

        Assert.Equal(3, result.OriginalsDeleted);
        Assert.Equal(orphans.Sum(o => o.Length), result.BytesFreed);
        foreach (var orphan in orphans)
        {
            Assert.Null(await References.GetAsync(orphan.Id));
            Assert.Null(await Blobs.GetPropertiesAsync(orphan.StorageKey));
        }

        Assert.NotNull(await engine.DefaultScope.GetAsync(kept.Original.Id));
    }

    [Fact]
    public async Task Garbage_collection_spares_orphans_inside_the_grace_period()
    {
        var engine = CreateEngine(o => o.OrphanGracePeriod = TimeSpan.FromHours(1));
        var orphan = await engine.DefaultScope.IngestAsync(new MemoryStream(TestImages.UniquePng()));

        Assert.Equal(0, (await engine.CollectGarbageAsync()).OriginalsDeleted);
        Assert.NotNull(await engine.DefaultScope.GetAsync(orphan.Original.Id));
    }

    [Fact]
    public async Task Two_collectors_at_once_delete_every_orphan_exactly_once()
    {
        var setup = CreateEngine(o => o.OrphanGracePeriod = TimeSpan.FromHours(1));
        var orphans = new List<Original>();
        for (var i = 0; i < 40; i++)
        {
            orphans.Add((await setup.DefaultScope.IngestAsync(new MemoryStream(TestImages.UniquePng(200 + i)))).Original);
        }

        var first = CreateEngine(o => { o.OrphanGracePeriod = TimeSpan.Zero; o.GarbageCollectionBatchSize = 5; });
        var second = CreateEngine(o => { o.OrphanGracePeriod = TimeSpan.Zero; o.GarbageCollectionBatchSize = 5; });

        var results = await Task.WhenAll(first.CollectGarbageAsync(), second.CollectGarbageAsync());

        Assert.Equal(40, results.Sum(r => r.OriginalsDeleted));
        Assert.Equal(orphans.Sum(o => o.Length), results.Sum(r => r.BytesFreed));
        await AssertNothingStoredAsync();
    }

    // ---- Reconcile and verify ----------------------------------------------------------------

    [Fact]
    public async Task Reconcile_removes_a_pending_row_left_by_a_crashed_ingest_with_its_blob()
    {
        var engine = CreateEngine();
        var crashed = await SimulateCrashedIngestAsync();

        Assert.Equal(0, (await engine.ReconcileAsync(new ReconcileOptions { GracePeriod = TimeSpan.FromHours(1) })).PendingRemoved);
        // Younger than twice the write timeout: for all reconcile can tell, that ingest is still writing.
        Assert.Equal(0, (await engine.ReconcileAsync(Immediate)).PendingRemoved);
        var result = await (await CreateEngineAfterWriteTimeoutAsync()).ReconcileAsync(Immediate);

        Assert.Equal(1, result.PendingRemoved);
        Assert.Null(await References.GetAsync(crashed.Id));
        Assert.Null(await Blobs.GetPropertiesAsync(crashed.StorageKey));
    }

    [Fact]
    public async Task Reconcile_with_no_grace_period_never_removes_the_pending_row_of_an_ingest_in_flight()
    {
        // What `imagededup gc --grace 00:00:00`, or an hourly clean-up with OrphanGracePeriod = 0,
        // does on another instance while an upload is being written.
        var intercepting = new InterceptingBlobStore(Blobs);
        var engine = CreateEngine(o => o.OrphanGracePeriod = TimeSpan.Zero, wrapBlobs: _ => intercepting);
        var reconciled = new List<ReconcileResult>();
        intercepting.BeforeWrite = async _ =>
        {
            reconciled.Add(await engine.ReconcileAsync());
            reconciled.Add(await engine.ReconcileAsync(Immediate));
        };
        var bytes = TestImages.UniquePng(100_000);

        var result = await engine.DefaultScope.IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = "h" });

        Assert.Equal(2, reconciled.Count);
        Assert.All(reconciled, r => Assert.Equal(0, r.PendingRemoved));
        Assert.True(result.StoredNewBytes);
        await AssertBlobHoldsAsync(result.Original, bytes);
        Assert.Equal(OriginalState.Live, (await References.GetAsync(result.Original.Id))?.State);
    }

    [Fact]
    public async Task An_ingest_that_outruns_its_write_timeout_fails_with_a_timeout_and_leaves_nothing()
    {
        var intercepting = new InterceptingBlobStore(Blobs);
        var engine = CreateEngine(o => o.IngestWriteTimeout = TimeSpan.FromMilliseconds(200), wrapBlobs: _ => intercepting);
        intercepting.BeforeWrite = _ => Task.Delay(TimeSpan.FromMilliseconds(500));

        await Assert.ThrowsAsync<TimeoutException>(() => engine.DefaultScope.IngestAsync(new MemoryStream(TestImages.UniquePng(100_000)), new IngestRequest { Holder = "h" }));

        await AssertNothingStoredAsync("h");
    }

    [Fact]
    public async Task Reconcile_finishes_a_deletion_whose_claimer_died()
    {
        var engine = CreateEngine();
        var orphan = await engine.DefaultScope.IngestAsync(new MemoryStream(TestImages.UniquePng()));
        var claimed = Assert.Single(await References.ClaimOrphansAsync(null, TimeSpan.Zero, 10));

        var result = await engine.ReconcileAsync(Immediate);

        Assert.Equal(orphan.Original.Id, claimed.Id);
        Assert.Equal(1, result.DeletionsFinished);
        Assert.Null(await References.GetAsync(orphan.Original.Id));
        Assert.Null(await Blobs.GetPropertiesAsync(orphan.Original.StorageKey));
    }

    [Fact]
    public async Task Verify_reports_missing_and_corrupt_blobs_and_resumes_from_its_cursor()
    {
        var engine = CreateEngine();
        var originals = new List<Original>();
        for (var i = 0; i < 5; i++)
        {
            originals.Add((await engine.DefaultScope.IngestAsync(new MemoryStream(TestImages.UniquePng(2_000 + i)), new IngestRequest { Holder = $"h/{i}" })).Original);
        }

        var corrupt = originals[1];
        var wrong = TestImages.UniquePng((int)corrupt.Length);
        await Blobs.DeleteAsync(corrupt.StorageKey);
        await Blobs.WriteAsync(corrupt.StorageKey, new MemoryStream(wrong), new BlobMetadata(TestImages.DigestOf(wrong), wrong.Length, "image/png"));
        var missing = originals[3];
        await Blobs.DeleteAsync(missing.StorageKey);

        var results = new List<VerifyResult>();
        string? cursor = null;
        do
        {
            var result = await engine.VerifyAsync(new VerifyOptions { Cursor = cursor, MaxOriginals = 2 });
            results.Add(result);
            cursor = result.NextCursor;
        }
        while (cursor is not null);

        Assert.Equal(5, results.Sum(r => r.Checked));
        Assert.True(results.Count >= 3);
        Assert.Equal([corrupt.Id], results.SelectMany(r => r.Corrupt));
        Assert.Equal([missing.Id], results.SelectMany(r => r.Missing));
        Assert.NotNull((await References.GetAsync(missing.Id))!.BlobMissingSince);
    }

    [Fact]
    public async Task Verify_records_a_blob_that_fails_to_read_and_goes_on()
    {
        var intercepting = new InterceptingBlobStore(Blobs);
        var engine = CreateEngine(wrapBlobs: _ => intercepting);
        var contents = Enumerable.Range(0, 4).Select(i => TestImages.UniquePng(20_000 + i)).ToArray();
        var originals = new List<Original>();
        for (var i = 0; i < contents.Length; i++)
        {
            originals.Add((await engine.DefaultScope.IngestAsync(new MemoryStream(contents[i]), new IngestRequest { Holder = $"h/{i}" })).Original);
        }

        // What a store's read can do half-way: an I/O error, its own checksum failing, a short body.
        var failures = new Dictionary<string, Func<Stream>>
        {
            [originals[0].StorageKey] = () => new FaultingStream(contents[0], failAfter: 10_000),
            [originals[1].StorageKey] = () => new FaultingStream(contents[1], failAfter: 10_000, () => new ContentIntegrityException("The checksum of the body does not match (simulated store).")),
            [originals[2].StorageKey] = () => new MemoryStream(contents[2], 0, 15_000),
        };
        intercepting.OnOpenRead = (key, stream) =>
        {
            if (!failures.TryGetValue(key, out var replacement))
            {
                return stream;
            }

            stream.Dispose();
            return replacement();
        };

        var result = await engine.VerifyAsync(new VerifyOptions { Concurrency = 1 });

        Assert.Equal(4, result.Checked);
        Assert.Equal([originals[0].Id], result.Unreadable);
        Assert.Equal(new[] { originals[1].Id, originals[2].Id }.Order(), result.Corrupt.Order());
        Assert.Empty(result.Missing);
        Assert.Null(result.NextCursor);
        intercepting.OnOpenRead = null;
        var again = await engine.VerifyAsync();
        Assert.Empty(again.Unreadable.Concat(again.Corrupt).Concat(again.Missing));
    }

        // ---- Bad input leaves nothing behind -------------------------------------------------------

    [Fact]
    public async Task An_empty_stream_is_rejected_and_leaves_nothing()
    {
        var engine = CreateEngine();
        await Assert.ThrowsAsync<EmptyContentException>(() => engine.DefaultScope.IngestAsync(new MemoryStream(), new IngestRequest { Holder = "h" }));
        await Assert.ThrowsAsync<EmptyContentException>(() => engine.DefaultScope.IngestAsync(NonSeekableStream.Over([]), new IngestRequest { Holder = "h" }));
        await AssertNothingStoredAsync("h");
    }

    [Fact]
    public async Task A_non_image_is_rejected_and_leaves_nothing()
    {
        var engine = CreateEngine();
        var ex = await Assert.ThrowsAsync<NotAnImageException>(
            () => engine.DefaultScope.IngestAsync(new MemoryStream(TestImages.NotAnImage()), new IngestRequest { Holder = "h", DeclaredContentType = "image/png" }));
        Assert.Equal("image/png", ex.DeclaredContentType);
        await AssertNothingStoredAsync("h");
    }

    [Fact]
    public async Task Any_content_is_accepted_when_allowed_and_keeps_the_declared_type()
    {
        var engine = CreateEngine(o => o.AllowAnyContent = true);
        var bytes = TestImages.NotAnImage();
        var result = await engine.DefaultScope.IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = "h", DeclaredContentType = "application/pdf" });
        Assert.Equal("application/pdf", result.Original.ContentType);
        await AssertBlobHoldsAsync(result.Original, bytes);
    }

    [Fact]
    public async Task An_oversized_upload_is_refused_while_streaming_and_leaves_nothing()
    {
        var engine = CreateEngine(o => o.MaxImageBytes = 100_000);
        var bytes = TestImages.UniquePng(1_000_000);
        var stream = new FaultingStream(bytes, failAfter: long.MaxValue);

        var ex = await Assert.ThrowsAsync<ContentTooLargeException>(() => engine.DefaultScope.IngestAsync(stream, new IngestRequest { Holder = "h" }));

        Assert.Equal(100_000, ex.Limit);
        Assert.True(stream.BytesRead <= 100_000 + (3 * 64 * 1024), $"read {stream.BytesRead} bytes before refusing");
        await Assert.ThrowsAsync<ContentTooLargeException>(() => engine.DefaultScope.IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = "h" }));
        await AssertNothingStoredAsync("h");
    }

    [Fact]
    public async Task A_stream_that_breaks_half_way_leaves_nothing()
    {
        var engine = CreateEngine();
        var bytes = TestImages.UniquePng(500_000);
        await Assert.ThrowsAsync<IOException>(() => engine.DefaultScope.IngestAsync(new FaultingStream(bytes, 200_000), new IngestRequest { Holder = "h" }));
        await AssertNothingStoredAsync("h");
    }

    [Fact]
    public async Task A_truncated_stream_is_caught_by_its_declared_length_and_leaves_nothing()
    {
        var engine = CreateEngine();
        var bytes = TestImages.UniquePng(10_000);

        await Assert.ThrowsAsync<ContentIntegrityException>(() => engine.DefaultScope.IngestAsync(
            new MemoryStream(bytes, 0, 6_000), new IngestRequest { Holder = "h", ExpectedLength = bytes.Length }));
        await Assert.ThrowsAsync<ContentIntegrityException>(() => engine.DefaultScope.IngestAsync(
            NonSeekableStream.Over(bytes), new IngestRequest { Holder = "h", ExpectedLength = 5_000 }));
        await AssertNothingStoredAsync("h");
    }

    [Fact]
    public async Task An_image_cut_short_is_refused_by_its_own_structure_and_leaves_nothing()
    {
        var engine = CreateEngine();
        var png = TestImages.UniquePng(300_000);
        var jpeg = TestImages.Jpeg(RandomNumberGenerator.GetInt32(int.MaxValue), 200_000);

        // No declared length to catch it: only the PNG chunk and the JPEG's missing EOI say so,
        // whether the bytes come from a seekable stream, in small reads, or past one chunk.
        await Assert.ThrowsAsync<ImageTruncatedException>(() => engine.DefaultScope.IngestAsync(new MemoryStream(png, 0, 150_000), new IngestRequest { Holder = "h" }));
        await Assert.ThrowsAsync<ImageTruncatedException>(() => engine.DefaultScope.IngestAsync(NonSeekableStream.Over(png[..^1], maxChunk: 7_000), new IngestRequest { Holder = "h" }));
        var ex = await Assert.ThrowsAsync<ImageTruncatedException>(() => engine.DefaultScope.IngestAsync(NonSeekableStream.Over(jpeg[..100_000]), new IngestRequest { Holder = "h" }));
        Assert.Equal("image/jpeg", ex.ContentType);
        await AssertNothingStoredAsync("h");

        var stored = await CreateEngine(o => o.AllowTruncatedImages = true).DefaultScope.IngestAsync(new MemoryStream(jpeg[..100_000]), new IngestRequest { Holder = "h" });
        await AssertBlobHoldsAsync(stored.Original, jpeg[..100_000]);
    }

    [Fact]
    public async Task Cancellation_half_way_leaves_nothing()
    {
        var engine = CreateEngine();
        var bytes = TestImages.UniquePng(600_000);
        using var cts = new CancellationTokenSource();
        var stream = NonSeekableStream.Over(bytes, maxChunk: 50_000, onRead: read =>
        {
            if (read > 250_000)
            {
                cts.Cancel();
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => engine.DefaultScope.IngestAsync(stream, new IngestRequest { Holder = "h" }, cts.Token));
        await AssertNothingStoredAsync("h");
    }

    [Fact]
    public async Task A_blob_store_that_fails_half_way_leaves_nothing()
    {
        var engine = CreateEngine(wrapBlobs: blobs => StoreFaults.Wrap(blobs, nameof(IBlobStore.WriteAsync)));
        var bytes = TestImages.UniquePng(300_000);

        await Assert.ThrowsAsync<IOException>(() => engine.DefaultScope.IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = "h" }));

        await AssertNothingStoredAsync("h");
        var healthy = CreateEngine();
        var retried = await healthy.DefaultScope.IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = "h" });
        Assert.True(retried.StoredNewBytes);
        await AssertBlobHoldsAsync(retried.Original, bytes);
    }

    [Fact]
    public async Task A_database_that_fails_before_the_live_commit_leaves_nothing()
    {
        var engine = CreateEngine(wrapReferences: references => StoreFaults.Wrap(references, nameof(IReferenceStore.PromoteAsync)));
        var bytes = TestImages.UniquePng(100_000);

        await Assert.ThrowsAsync<IOException>(() => engine.DefaultScope.IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = "h" }));

        await AssertNothingStoredAsync("h");
    }

    [Fact]
    public async Task A_stream_that_changes_between_reads_is_never_stored_under_the_wrong_digest()
    {
        // Larger than one chunk: the engine reads the host's seekable stream a second time.
        var engine = CreateEngine();
        var bytes = TestImages.UniquePng(300_000);

        await Assert.ThrowsAsync<ContentIntegrityException>(() => engine.DefaultScope.IngestAsync(new MutatingStream(bytes), new IngestRequest { Holder = "h" }));

        await AssertNothingStoredAsync("h");
    }

    [Fact]
    public async Task Content_that_fits_one_chunk_is_read_from_the_host_stream_once()
    {
        // The first chunk is kept: a stream that would change on a second read never gets one.
        var engine = CreateEngine();
        var bytes = TestImages.UniquePng(10_000);

        var result = await engine.DefaultScope.IngestAsync(new MutatingStream(bytes), new IngestRequest { Holder = "h" });

        await AssertBlobHoldsAsync(result.Original, bytes);
    }

    [Fact]
    public async Task Invalid_arguments_are_rejected_before_anything_is_read()
    {
        var engine = CreateEngine();
        await Assert.ThrowsAsync<ArgumentNullException>(() => engine.DefaultScope.IngestAsync(null!));
        await Assert.ThrowsAsync<ArgumentException>(() => engine.DefaultScope.IngestAsync(new MemoryStream(TestImages.UniquePng()), new IngestRequest { Holder = "" }));
        await Assert.ThrowsAsync<ArgumentException>(() => engine.DefaultScope.ReleasePrefixAsync("/"));
        await Assert.ThrowsAsync<ArgumentException>(() => engine.DefaultScope.ReleaseAsync("bad\nholder"));
        Assert.Throws<FormatException>(() => ContentDigest.Parse("md5:abc"));
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task Argument_errors_of_an_ingest_request_are_thrown_before_a_byte_is_read()
    {
        var engine = CreateEngine(o => o.MaxImageBytes = 100_000);
        var untouchable = new FaultingStream(TestImages.UniquePng(), failAfter: 0); // any read throws IOException

        var negative = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => engine.DefaultScope.IngestAsync(untouchable, new IngestRequest { Holder = "h", ExpectedLength = -1 }));
        Assert.Equal("request", negative.ParamName);
        await Assert.ThrowsAsync<ArgumentException>(
            () => engine.DefaultScope.IngestAsync(untouchable, new IngestRequest { Holder = "h", DeclaredContentType = "image/png\r\nX-Injected: 1" }));
        await Assert.ThrowsAsync<ArgumentException>(
            () => engine.DefaultScope.IngestAsync(untouchable, new IngestRequest { Holder = "h", DeclaredContentType = new string('a', 256) }));
        await Assert.ThrowsAsync<ContentTooLargeException>(
            () => engine.DefaultScope.IngestAsync(untouchable, new IngestRequest { Holder = "h", ExpectedLength = 100_001 }));

        Assert.Equal(0, untouchable.BytesRead);
        await AssertNothingStoredAsync("h");
    }

    // ---- Concurrency ---------------------------------------------------------------------------

    [Fact]
    public async Task Concurrent_ingests_and_releases_of_the_same_bytes_keep_every_live_original_whole()
    {
        var engine = CreateEngine();
        var contents = Enumerable.Range(0, 3).Select(i => TestImages.UniquePng(5_000 + i)).ToArray();
        // A fixed amount of work, not a time box: on a loaded machine a time box runs too little
        // to race at all, and how fast it runs is no part of what this test asserts.
        const int OperationsPerWorker = 40;
        var workers = Enumerable.Range(0, 6).Select(worker => Task.Run(async () =>
        {
            var random = new Random(worker);
            var operations = 0;
            while (operations < OperationsPerWorker)
            {
                var holder = $"w{worker}/h{random.Next(4)}";
                var content = contents[random.Next(contents.Length)];
                if (random.Next(2) == 0)
                {
                    await engine.DefaultScope.IngestAsync(new MemoryStream(content), new IngestRequest { Holder = holder });
                }
                else
                {
                    await engine.DefaultScope.ReleaseAsync(holder);
                }

                operations++;
            }

            return operations;
        })).ToArray();

        Assert.Equal(6 * OperationsPerWorker, (await Task.WhenAll(workers)).Sum());
        var live = await ListAllOriginalsAsync(engine);
        Assert.DoesNotContain(live, o => o.State == OriginalState.Pending);
        foreach (var original in live.Where(o => o.State == OriginalState.Live))
        {
            await AssertBlobHoldsAsync(original, contents.Single(c => TestImages.DigestOf(c) == original.Digest));
            var holders = await engine.DefaultScope.ListHoldersAsync(original.Id, pageSize: 1000);
            Assert.Equal(original.ReferenceCount, holders.Items.Count);
        }

        Assert.Equal(live.Count(o => o.State == OriginalState.Live), live.Select(o => o.Digest).Distinct().Count());
        Assert.Equal(live.Count, (await ListBlobsAsync()).Count);
    }
}
