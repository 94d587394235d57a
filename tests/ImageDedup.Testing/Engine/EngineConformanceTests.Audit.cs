using ImageDedup.Storage;
using ImageDedup.Testing.Content;
using Xunit;

namespace ImageDedup.Testing.Engine;

/// <summary>
/// Every row outlives its blob, so the regular reconcile needs no sweep of the blob store; the
/// sweeps (blobs no row names, live rows whose blob is missing) are the explicit audit's, which
/// resumes from a cursor (issue 14 item 3).
/// </summary>
public abstract partial class EngineConformanceTests
{
    // ---- The regular reconcile costs what crashes left ----------------------------------------

    [Fact]
    public async Task Reconcile_never_lists_the_blob_store_nor_checks_a_blob_and_leaves_row_less_blobs_to_the_audit()
    {
        var (counted, probe) = StoreFaults.Count(Blobs);
        var engine = CreateEngine(wrapBlobs: _ => counted);
        for (var i = 0; i < 3; i++)
        {
            await engine.DefaultScope.IngestAsync(new MemoryStream(TestImages.UniquePng(1_000 + i)), new IngestRequest { Holder = $"h/{i}" });
        }

        var stray = await WriteStrayBlobAsync();

        await engine.ReconcileAsync(Immediate);

        Assert.Equal(0, probe.Calls.GetValueOrDefault(nameof(IBlobStore.ListAsync)));
        Assert.Equal(0, probe.Calls.GetValueOrDefault(nameof(IBlobStore.GetPropertiesAsync)));
        Assert.NotNull(await Blobs.GetPropertiesAsync(stray));
        Assert.Equal(1, (await engine.AuditAsync(ImmediateAudit)).RowlessBlobsDeleted);
    }

    [Fact]
    public async Task An_ingest_that_loses_the_race_deletes_its_blob_while_its_row_still_names_it()
    {
        var intercepting = new InterceptingBlobStore(Blobs);
        var engine = CreateEngine(wrapBlobs: _ => intercepting);
        var rival = CreateEngine();
        var bytes = TestImages.UniquePng(20_000);
        IngestResult? winner = null;
        var rowStates = new List<OriginalState?>();
        intercepting.BeforeWrite = async _ =>
        {
            // Our pending row exists; another instance stores the same bytes and goes live first.
            intercepting.BeforeWrite = null;
            winner = await rival.DefaultScope.IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = "h/rival" });
        };
        intercepting.BeforeDelete = async key => rowStates.Add((await References.GetAsync(IdOf(key)))?.State);

        var result = await engine.DefaultScope.IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = "h/mine" });

        Assert.NotNull(winner);
        Assert.Equal(winner.Original.Id, result.Original.Id);
        Assert.False(result.StoredNewBytes);
        Assert.Equal([OriginalState.Deleting], rowStates);
        Assert.Single(await ListBlobsAsync());
        Assert.Single(await ListAllOriginalsAsync(engine));
        await AssertBlobHoldsAsync(winner.Original, bytes);
    }

    [Fact]
    public async Task A_failed_ingest_whose_blob_cannot_be_deleted_keeps_its_row_deleting_and_the_regular_reconcile_finishes_it()
    {
        var engine = CreateEngine(
            wrapReferences: references => StoreFaults.Wrap(references, nameof(IReferenceStore.PromoteAsync)),
            wrapBlobs: blobs => StoreFaults.Wrap(blobs, nameof(IBlobStore.DeleteAsync)));

        await Assert.ThrowsAsync<IOException>(() => engine.DefaultScope.IngestAsync(new MemoryStream(TestImages.UniquePng(50_000)), new IngestRequest { Holder = "h" }));

        var left = Assert.Single(await References.ListOriginalsAsync(string.Empty, null, 10) is { } page ? page.Items : []);
        Assert.Equal(OriginalState.Deleting, left.State);
        Assert.NotNull(await Blobs.GetPropertiesAsync(left.StorageKey));
        Assert.Equal(1, (await CreateEngine().ReconcileAsync(Immediate)).DeletionsFinished);
        await AssertNothingStoredAsync("h");
    }

    [Fact]
    public async Task A_dry_run_reports_what_reconcile_would_repair_and_changes_nothing()
    {
        var engine = CreateEngine();
        var crashed = await SimulateCrashedIngestAsync();
        var live = await engine.DefaultScope.IngestAsync(new MemoryStream(TestImages.UniquePng()), new IngestRequest { Holder = "h" });
        await Blobs.DeleteAsync(live.Original.StorageKey);
        var stray = await WriteStrayBlobAsync();

        var report = await (await CreateEngineAfterWriteTimeoutAsync()).ReconcileAsync(Immediate with { DryRun = true });
        var audit = await engine.AuditAsync(ImmediateAudit with { DryRun = true });

        Assert.True(report.DryRun);
        Assert.Equal(1, report.PendingRemoved);
        Assert.True(audit.DryRun);
        Assert.Equal([live.Original.Id], audit.MissingBlobs);
        Assert.Equal(1, audit.RowlessBlobsDeleted);
        Assert.NotNull(await References.GetAsync(crashed.Id));
        Assert.NotNull(await Blobs.GetPropertiesAsync(crashed.StorageKey));
        Assert.NotNull(await Blobs.GetPropertiesAsync(stray));
        Assert.Null((await References.GetAsync(live.Original.Id))!.BlobMissingSince);
    }

    // ---- The audit ---------------------------------------------------------------------------

    [Fact]
    public async Task Audit_deletes_blobs_no_row_names_and_keeps_every_named_one()
    {
        var engine = CreateEngine();
        var kept = await engine.DefaultScope.IngestAsync(new MemoryStream(TestImages.UniquePng()), new IngestRequest { Holder = "keep" });
        var stray = await WriteStrayBlobAsync();

        Assert.Equal(0, (await engine.AuditAsync(new AuditOptions { GracePeriod = TimeSpan.Zero })).RowlessBlobsDeleted);
        var result = await engine.AuditAsync(ImmediateAudit);

        Assert.Equal(1, result.RowlessBlobsDeleted);
        Assert.Null(result.NextCursor);
        Assert.True(result.BlobsListed >= 2);
        Assert.Equal(1, result.OriginalsChecked);
        Assert.Null(await Blobs.GetPropertiesAsync(stray));
        Assert.NotNull(await Blobs.GetPropertiesAsync(kept.Original.StorageKey));
    }

    [Fact]
    public async Task Audit_marks_and_keeps_a_live_original_whose_blob_is_missing()
    {
        var engine = CreateEngine();
        var bytes = TestImages.UniquePng();
        var live = await engine.DefaultScope.IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = "h" });
        await Blobs.DeleteAsync(live.Original.StorageKey);

        var result = await engine.AuditAsync(ImmediateAudit);

        Assert.Equal([live.Original.Id], result.MissingBlobs);
        var marked = await References.GetAsync(live.Original.Id);
        Assert.NotNull(marked);
        Assert.Equal(OriginalState.Live, marked.State);
        Assert.NotNull(marked.BlobMissingSince);
        Assert.NotNull(await engine.DefaultScope.FindByHolderAsync("h"));

        await Blobs.WriteAsync(live.Original.StorageKey, new MemoryStream(bytes), new BlobMetadata(live.Original.Digest, bytes.Length, "image/png"));
        Assert.Empty((await engine.AuditAsync(ImmediateAudit)).MissingBlobs);
        Assert.Null((await References.GetAsync(live.Original.Id))!.BlobMissingSince);
    }

    [Fact]
    public async Task Audit_resumes_from_its_cursor_stops_at_its_time_limit_and_reports_progress()
    {
        var engine = CreateEngine();
        await engine.DefaultScope.IngestAsync(new MemoryStream(TestImages.UniquePng()), new IngestRequest { Holder = "h" });
        var low = await WriteStrayBlobAsync(shard: "0");
        var high = await WriteStrayBlobAsync(shard: "f");

        var stopped = await engine.AuditAsync(ImmediateAudit with { MaxDuration = TimeSpan.Zero });
        Assert.Equal("blobs/00", stopped.NextCursor);
        Assert.Equal(0, stopped.BlobsListed);

        // Resumed half-way through the listing: only the shards from 80 on are swept.
        var progress = new List<AuditProgress>();
        var resumed = await engine.AuditAsync(ImmediateAudit with { Cursor = "blobs/80", Progress = new SynchronousProgress(progress), MaxRequestsPerSecond = 10_000 });
        Assert.Equal(1, resumed.RowlessBlobsDeleted);
        Assert.Null(resumed.NextCursor);
        Assert.NotNull(await Blobs.GetPropertiesAsync(low));
        Assert.Null(await Blobs.GetPropertiesAsync(high));
        Assert.Equal("blobs/81", progress[0].Cursor);
        Assert.Contains(progress, p => p.Cursor == "rows/");
        Assert.Null(progress[^1].Cursor);
        Assert.True(resumed.Requests >= 1 + 128, $"one request per shard listed and one per original checked at least; counted {resumed.Requests}");

        Assert.Equal(1, (await engine.AuditAsync(ImmediateAudit with { CheckMissingBlobs = false })).RowlessBlobsDeleted);
        Assert.Null(await Blobs.GetPropertiesAsync(low));
        await Assert.ThrowsAsync<ArgumentException>(() => engine.AuditAsync(ImmediateAudit with { Cursor = "somewhere" }));
    }

    // ---- Self-heal -----------------------------------------------------------------------------

    [Fact]
    public async Task Ingesting_the_bytes_of_an_original_marked_blob_missing_writes_them_back_and_clears_the_mark()
    {
        var engine = CreateEngine();
        var bytes = TestImages.UniquePng(90_000);
        var live = await engine.DefaultScope.IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = "h/1" });
        await Blobs.DeleteAsync(live.Original.StorageKey);
        Assert.Equal([live.Original.Id], (await engine.AuditAsync(ImmediateAudit)).MissingBlobs);

        var healed = await engine.DefaultScope.IngestAsync(NonSeekableStream.Over(bytes, maxChunk: 10_000), new IngestRequest { Holder = "h/2" });

        Assert.Equal(live.Original.Id, healed.Original.Id);
        Assert.True(healed.StoredNewBytes);
        Assert.Null(healed.Original.BlobMissingSince);
        Assert.Equal(2, healed.Original.ReferenceCount);
        Assert.Null((await References.GetAsync(live.Original.Id))!.BlobMissingSince);
        await AssertBlobHoldsAsync(live.Original, bytes);
        await using (var read = await engine.DefaultScope.OpenReadAsync(live.Original.Id, new ReadOptions { Verify = true }))
        {
            Assert.Equal(bytes, await ReadAllAsync(read));
        }

        var again = await engine.DefaultScope.IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = "h/3" });
        Assert.False(again.StoredNewBytes);
        Assert.Empty((await engine.AuditAsync(ImmediateAudit)).MissingBlobs);
    }

    [Fact]
    public async Task A_heal_racing_the_deletion_of_its_original_leaves_no_blob_behind()
    {
        var intercepting = new InterceptingBlobStore(Blobs);
        var engine = CreateEngine(wrapBlobs: _ => intercepting);
        var bytes = TestImages.UniquePng(30_000);
        var live = await engine.DefaultScope.IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = "h/1" });
        await Blobs.DeleteAsync(live.Original.StorageKey);
        await engine.AuditAsync(ImmediateAudit);
        intercepting.BeforeWrite = async _ =>
        {
            // The heal has attached h/2 and is about to write; both holders let go meanwhile, so
            // the original is deleted (row and, already missing, blob) before the bytes land.
            intercepting.BeforeWrite = null;
            await engine.DefaultScope.ReleaseAsync("h/1");
            Assert.True((await engine.DefaultScope.ReleaseAsync("h/2")).OriginalDeleted);
        };

        var result = await engine.DefaultScope.IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = "h/2" });

        Assert.Equal(live.Original.Id, result.Original.Id);
        Assert.False(result.StoredNewBytes);
        await AssertNothingStoredAsync("h/1", "h/2");
    }

    // ---- Foreign objects at the location -----------------------------------------------------

    [Theory]
    [MemberData(nameof(ForeignNames))]
    public async Task Audit_keeps_what_is_not_in_the_engine_key_format_and_does_not_fail_on_it(string name)
    {
        var engine = CreateEngine();
        var kept = await engine.DefaultScope.IngestAsync(new MemoryStream(TestImages.UniquePng()), new IngestRequest { Holder = "keep" });
        await WriteForeignObjectAsync(name, "not an image of this catalogue"u8.ToArray());

        var result = await engine.AuditAsync(ImmediateAudit);

        Assert.Equal(0, result.RowlessBlobsDeleted);
        Assert.True(await ForeignObjectExistsAsync(name), $"the audit deleted '{name}', which is not its blob");
        Assert.NotNull(await Blobs.GetPropertiesAsync(kept.Original.StorageKey));
    }

    [Fact]
    public async Task Audit_with_default_options_keeps_every_foreign_object_and_still_deletes_its_own_row_less_blob()
    {
        var engine = CreateEngine();
        foreach (var name in Foreign)
        {
            await WriteForeignObjectAsync(name, "foreign"u8.ToArray());
        }

        var stray = await WriteStrayBlobAsync();

        await engine.AuditAsync(new AuditOptions());
        var immediate = await engine.AuditAsync(ImmediateAudit);

        Assert.Equal(1, immediate.RowlessBlobsDeleted);
        Assert.Null(await Blobs.GetPropertiesAsync(stray));
        foreach (var name in Foreign)
        {
            Assert.True(await ForeignObjectExistsAsync(name), $"the audit deleted '{name}'");
        }
    }

    /// <summary>
    /// Writes a blob in the engine's key format that no row names (what only outside hands, or a
    /// crash during a heal, leave), whose digest starts with <paramref name="shard"/> if given.
    /// </summary>
    private async Task<string> WriteStrayBlobAsync(string? shard = null)
    {
        byte[] bytes;
        ContentDigest digest;
        var seed = 0;
        do
        {
            bytes = TestImages.UniquePng(500 + seed++);
            digest = TestImages.DigestOf(bytes);
        }
        while (shard is not null && !digest.Hex.StartsWith(shard, StringComparison.Ordinal));

        var key = $"sha256/{digest.Hex[..2]}/{digest.Hex[2..4]}/{digest.Hex}.{Guid.NewGuid():N}";
        await Blobs.WriteAsync(key, new MemoryStream(bytes), new BlobMetadata(digest, bytes.Length, "image/png"));

        // An audit with zero grace and skew deletes what is older than the store's clock, which may
        // count whole milliseconds (SQLite) while the blob store's times are finer: an audit in the
        // same millisecond would rightly leave the blob alone.
        var written = (await Blobs.GetPropertiesAsync(key))!.LastModified;
        while (await References.GetTimeAsync() <= written)
        {
            await Task.Delay(1);
        }

        return key;
    }

    /// <summary>The original's id in an engine key (<c>….{id:N}</c>).</summary>
    private static Guid IdOf(string key) => Guid.ParseExact(key[(key.LastIndexOf('.') + 1)..], "N");

    /// <summary>Collects progress as it is reported (<see cref="Progress{T}"/> would post it later).</summary>
    private sealed class SynchronousProgress(List<AuditProgress> reports) : IProgress<AuditProgress>
    {
        public void Report(AuditProgress value) => reports.Add(value);
    }
}
