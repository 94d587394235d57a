using System.Collections.Concurrent;
using ImageDedup.Storage;
using ImageDedup.Testing.Content;
using Xunit;

namespace ImageDedup.Testing.Engine;

/// <summary>
/// Takedown (docs/takedown.md): a purge releases every holder, deletes the bytes without a grace
/// period and removes the row, reporting each holder once; a block refuses the bytes before anything
/// is written; an interrupted purge is finished by running it again or by reconcile. On a reference
/// store without the capability (<see cref="ITakedownStore"/>) every takedown call says so instead.
/// </summary>
public abstract partial class EngineConformanceTests
{
    private static PurgeRequest Purge(bool block = false, Func<IReadOnlyList<HolderReference>, CancellationToken, Task>? report = null)
        => new() { RequestedBy = "trust-and-safety@example.org", Reason = "notice 2026-118", Block = block, OnHoldersReleased = report };

    private static BlockRequest Because(string reason) => new() { RequestedBy = "trust-and-safety@example.org", Reason = reason };

    [Fact]
    public async Task Purging_everywhere_an_image_with_a_thousand_holders_in_three_scopes_leaves_no_row_reference_or_blob_and_reports_each_holder()
    {
        if (await TakedownEngineAsync(o => o.PurgeBatchSize = 128) is not { } engine)
        {
            return;
        }

        var image = TestImages.UniquePng(6_000);
        var scopes = new[] { "purge-a", "purge-b", "purge-c" };
        var holders = await SpreadHoldersAsync(engine, image, scopes, total: 1_000);
        var bystander = await engine.Scope("purge-a").IngestAsync(new MemoryStream(TestImages.UniquePng(3_000)), new IngestRequest { Holder = "keep/1" });
        var digest = TestImages.DigestOf(image);
        var purgedIds = new List<Guid>();
        foreach (var scope in scopes)
        {
            purgedIds.Add((await engine.Scope(scope).FindByDigestAsync(digest))!.Id);
        }

        var result = await engine.PurgeEverywhereAsync(digest, Purge());

        Assert.True(result.Finished);
        Assert.Equal(digest, result.Digest);
        Assert.Equal(purgedIds.Order(), result.OriginalsPurged.Order());
        Assert.Equal(1_000, result.HoldersReleased);
        Assert.Equal(holders.Order(), result.Holders.Select(h => (h.Scope, h.Holder)).Order());
        Assert.Null(result.Block);
        await AssertPurgedAsync(purgedIds, holders);
        Assert.Equal([bystander.Original.StorageKey], await ListBlobsAsync());
        Assert.Equal(bystander.Original.Id, (await engine.Scope("purge-a").FindByHolderAsync("keep/1"))?.Id);
        Assert.Equal(1, (await engine.GetStatisticsAsync()).UniqueOriginals);
    }

    [Fact]
    public async Task Purging_within_one_scope_takes_its_original_and_leaves_the_other_scopes_whole()
    {
        if (await TakedownEngineAsync(o => o.PurgeBatchSize = 100) is not { } engine)
        {
            return;
        }

        var image = TestImages.UniquePng(5_000);
        var scopes = new[] { "purge-a", "purge-b", "purge-c" };
        var holders = await SpreadHoldersAsync(engine, image, scopes, total: 1_000);
        var victim = (await engine.Scope("purge-b").FindByDigestAsync(TestImages.DigestOf(image)))!;
        var reported = new ConcurrentQueue<IReadOnlyList<HolderReference>>();

        var result = await engine.Scope("purge-b").PurgeAsync(victim.Id, Purge(report: (batch, _) =>
        {
            reported.Enqueue(batch);
            return Task.CompletedTask;
        }));

        var released = holders.Where(h => h.Scope == "purge-b").ToList();
        Assert.Equal([victim.Id], result.OriginalsPurged);
        Assert.Equal(released.Count, result.HoldersReleased);
        Assert.Empty(result.Holders); // they went to the callback, in bounded batches
        Assert.All(reported, batch => Assert.InRange(batch.Count, 1, 100));
        Assert.Equal(released.Order(), reported.SelectMany(b => b).Select(h => (h.Scope, h.Holder)).Order());
        await AssertPurgedAsync([victim.Id], released);
        foreach (var scope in new[] { "purge-a", "purge-c" })
        {
            var kept = (await engine.Scope(scope).FindByDigestAsync(victim.Digest))!;
            Assert.Equal(holders.Count(h => h.Scope == scope), kept.ReferenceCount);
            await AssertBlobHoldsAsync(kept, image);
            await using var read = await engine.Scope(scope).OpenReadAsync(kept.Id, new ReadOptions { Verify = true });
            Assert.Equal(image, await ReadAllAsync(read));
        }

        Assert.Equal(2, (await ListBlobsAsync()).Count);
    }

    [Fact]
    public async Task A_purged_and_blocked_image_uploaded_again_is_refused_with_nothing_stored_and_unblocking_lets_it_back()
    {
        if (await TakedownEngineAsync() is not { } engine)
        {
            return;
        }

        var image = TestImages.UniquePng(4_000);
        var stored = await engine.DefaultScope.IngestAsync(new MemoryStream(image), new IngestRequest { Holder = "posts/1" });
        await engine.DefaultScope.AddReferenceAsync(stored.Original.Id, "posts/2");

        var purge = await engine.DefaultScope.PurgeAsync(stored.Original.Id, Purge(block: true));

        Assert.Equal(["posts/1", "posts/2"], purge.Holders.Select(h => h.Holder).Order(StringComparer.Ordinal));
        Assert.Equal(new BlockListEntry("", stored.Original.Digest, "notice 2026-118", "trust-and-safety@example.org", purge.Block!.BlockedAt), purge.Block);
        await AssertNothingStoredAsync("posts/1", "posts/2");

        var refused = await Assert.ThrowsAsync<BlockedContentException>(
            () => engine.DefaultScope.IngestAsync(new MemoryStream(image), new IngestRequest { Holder = "posts/3" }));
        var refusedWithoutHolder = await Assert.ThrowsAsync<BlockedContentException>(() => engine.DefaultScope.IngestAsync(new MemoryStream(image)));
        Assert.Equal((stored.Original.Digest, ""), (refused.Digest, refused.Scope));
        Assert.Equal(refused.Digest, refusedWithoutHolder.Digest);
        await AssertNothingStoredAsync("posts/3");
        Assert.Equal([purge.Block], (await engine.DefaultScope.ListBlockedAsync()).Items);

        Assert.True(await engine.DefaultScope.UnblockAsync(stored.Original.Digest, Because("appeal granted")));
        var back = await engine.DefaultScope.IngestAsync(new MemoryStream(image), new IngestRequest { Holder = "posts/3" });

        Assert.True(back.StoredNewBytes);
        Assert.NotEqual(stored.Original.Id, back.Original.Id);
        await AssertBlobHoldsAsync(back.Original, image);
        Assert.Empty((await engine.DefaultScope.ListBlockedAsync()).Items);
    }

    [Fact]
    public async Task A_block_refuses_bytes_the_scope_already_holds_before_any_holder_moves_and_keeps_what_is_stored()
    {
        if (await TakedownEngineAsync() is not { } engine)
        {
            return;
        }

        var image = TestImages.UniquePng(3_000);
        var other = await engine.DefaultScope.IngestAsync(new MemoryStream(TestImages.UniquePng(2_000)), new IngestRequest { Holder = "posts/2" });
        var stored = await engine.DefaultScope.IngestAsync(new MemoryStream(image), new IngestRequest { Holder = "posts/1" });
        var blobs = await ListBlobsAsync();

        await engine.DefaultScope.BlockAsync(stored.Original.Digest, Because("reported"));

        // The holder posts/2 would move to the blocked bytes: refused, and it stays where it was.
        await Assert.ThrowsAsync<BlockedContentException>(() => engine.DefaultScope.IngestAsync(new MemoryStream(image), new IngestRequest { Holder = "posts/2" }));
        await Assert.ThrowsAsync<BlockedContentException>(() => engine.DefaultScope.AddReferenceAsync(stored.Original.Id, "posts/3"));
        Assert.Equal(other.Original.Id, (await engine.DefaultScope.FindByHolderAsync("posts/2"))?.Id);
        Assert.Null(await engine.DefaultScope.FindByHolderAsync("posts/3"));
        Assert.Equal(blobs.Order(StringComparer.Ordinal), (await ListBlobsAsync()).Order(StringComparer.Ordinal));

        // A block refuses; what is stored stays for its holders until purged.
        await using (var read = await engine.DefaultScope.OpenReadAsync(stored.Original.Id, new ReadOptions { Verify = true }))
        {
            Assert.Equal(image, await ReadAllAsync(read));
        }

        Assert.Equal(1, (await engine.DefaultScope.GetAsync(stored.Original.Id))!.ReferenceCount);
    }

    [Fact]
    public async Task A_global_block_refuses_every_scope_and_each_scope_lists_only_its_own_entries()
    {
        if (await TakedownEngineAsync() is not { } engine)
        {
            return;
        }

        var everywhere = TestImages.UniquePng(1_000);
        var tenantOnly = TestImages.UniquePng(1_000);
        var global = await engine.BlockEverywhereAsync(TestImages.DigestOf(everywhere), Because("hash list"));
        var scoped = await engine.Scope("t1").BlockAsync(TestImages.DigestOf(tenantOnly), Because("tenant rule"));

        await Assert.ThrowsAsync<BlockedContentException>(() => engine.Scope("t1").IngestAsync(new MemoryStream(everywhere)));
        await Assert.ThrowsAsync<BlockedContentException>(() => engine.Scope("t2").IngestAsync(new MemoryStream(everywhere)));
        await Assert.ThrowsAsync<BlockedContentException>(() => engine.Scope("t1").IngestAsync(new MemoryStream(tenantOnly)));
        Assert.True((await engine.Scope("t2").IngestAsync(new MemoryStream(tenantOnly))).StoredNewBytes);

        Assert.Null(global.Scope);
        Assert.Equal([global, scoped], (await engine.ListBlockedAsync()).Items);
        Assert.Equal([scoped], (await engine.Scope("t1").ListBlockedAsync()).Items);
        Assert.Empty((await engine.Scope("t2").ListBlockedAsync()).Items);
        Assert.False(await engine.Scope("t2").UnblockAsync(global.Digest, Because("not here")));
        Assert.True(await engine.UnblockEverywhereAsync(global.Digest, Because("list updated")));
        Assert.True((await engine.Scope("t2").IngestAsync(new MemoryStream(everywhere))).StoredNewBytes);
    }

    [Fact]
    public async Task A_purge_everywhere_with_block_refuses_the_bytes_in_every_scope_even_where_nothing_was_stored()
    {
        if (await TakedownEngineAsync() is not { } engine)
        {
            return;
        }

        var image = TestImages.UniquePng(2_500);
        var stored = await engine.Scope("t1").IngestAsync(new MemoryStream(image), new IngestRequest { Holder = "a" });

        var result = await engine.PurgeEverywhereAsync(stored.Original.Id, Purge(block: true));

        Assert.Equal([stored.Original.Id], result.OriginalsPurged);
        Assert.Null(result.Block?.Scope);
        await Assert.ThrowsAsync<BlockedContentException>(() => engine.Scope("t1").IngestAsync(new MemoryStream(image)));
        await Assert.ThrowsAsync<BlockedContentException>(() => engine.Scope("never-had-it").IngestAsync(new MemoryStream(image)));
        Assert.Empty(await ListBlobsAsync());

        // By digest, with nothing stored: nothing to purge, and the block is still made.
        var nothing = TestImages.UniquePng(1_500);
        var empty = await engine.Scope("t1").PurgeAsync(TestImages.DigestOf(nothing), Purge(block: true));
        Assert.Empty(empty.OriginalsPurged);
        Assert.Equal(0, empty.HoldersReleased);
        Assert.Equal("t1", empty.Block?.Scope);
        await Assert.ThrowsAsync<BlockedContentException>(() => engine.Scope("t1").IngestAsync(new MemoryStream(nothing)));
    }

    [Fact]
    public async Task A_purge_asks_who_and_why_and_finds_only_its_own_scopes_originals()
    {
        if (await TakedownEngineAsync() is not { } engine)
        {
            return;
        }

        var stored = await engine.Scope("t1").IngestAsync(new MemoryStream(TestImages.UniquePng(1_000)), new IngestRequest { Holder = "a" });

        await Assert.ThrowsAsync<ArgumentException>(() => engine.Scope("t1").PurgeAsync(stored.Original.Id, Purge() with { RequestedBy = " " }));
        await Assert.ThrowsAsync<ArgumentException>(() => engine.Scope("t1").PurgeAsync(stored.Original.Id, Purge() with { Reason = "" }));
        await Assert.ThrowsAsync<ArgumentException>(() => engine.Scope("t1").PurgeAsync(stored.Original.Id, Purge() with { RequestedBy = "line\nbreak" }));
        await Assert.ThrowsAsync<ArgumentException>(() => engine.Scope("t1").PurgeAsync(stored.Original.Id, Purge() with { Reason = new string('x', ImageDedupLimits.MaxReasonLength + 1) }));
        await Assert.ThrowsAsync<ArgumentException>(() => engine.Scope("t1").BlockAsync(default, Because("no digest")));
        var elsewhere = await Assert.ThrowsAsync<OriginalNotFoundException>(() => engine.Scope("t2").PurgeAsync(stored.Original.Id, Purge()));
        Assert.Equal("t2", elsewhere.Scope);
        await Assert.ThrowsAsync<OriginalNotFoundException>(() => engine.Scope("t1").PurgeAsync(Guid.NewGuid(), Purge()));
        var unknown = await Assert.ThrowsAsync<OriginalNotFoundException>(() => engine.PurgeEverywhereAsync(Guid.NewGuid(), Purge()));
        Assert.Equal("*", unknown.Scope);

        Assert.Equal(stored.Original.Id, (await engine.Scope("t1").FindByHolderAsync("a"))?.Id);
        Assert.NotNull(await Blobs.GetPropertiesAsync(stored.Original.StorageKey));
        Assert.Empty((await engine.ListBlockedAsync()).Items);
    }

    [Fact]
    public async Task A_purge_whose_report_fails_stops_there_and_running_it_again_finishes_it_and_reports_the_rest()
    {
        if (await TakedownEngineAsync(o => o.PurgeBatchSize = 2) is not { } engine)
        {
            return;
        }

        var stored = await engine.DefaultScope.IngestAsync(new MemoryStream(TestImages.UniquePng(2_000)), new IngestRequest { Holder = "h/0" });
        for (var i = 1; i < 5; i++)
        {
            await engine.DefaultScope.AddReferenceAsync(stored.Original.Id, $"h/{i}");
        }

        var told = new List<string>();
        var calls = 0;
        await Assert.ThrowsAsync<InvalidOperationException>(() => engine.DefaultScope.PurgeAsync(stored.Original.Id, Purge(report: (batch, _) =>
        {
            told.AddRange(batch.Select(h => h.Holder));
            return ++calls == 2 ? throw new InvalidOperationException("the host's database is down") : Task.CompletedTask;
        })));

        // Taken down already: unreadable, its bytes gone, no holder can reach it; the row waits.
        Assert.Null(await engine.DefaultScope.GetAsync(stored.Original.Id));
        Assert.Null(await engine.DefaultScope.FindByHolderAsync("h/4"));
        Assert.Null(await Blobs.GetPropertiesAsync(stored.Original.StorageKey));
        await Assert.ThrowsAsync<OriginalNotFoundException>(() => engine.DefaultScope.AddReferenceAsync(stored.Original.Id, "h/9"));
        Assert.Equal(OriginalState.Deleting, (await References.GetAsync(stored.Original.Id))?.State);

        var again = await engine.DefaultScope.PurgeAsync(stored.Original.Id, Purge());

        Assert.Equal([stored.Original.Id], again.OriginalsPurged);
        Assert.Equal(["h/0", "h/1", "h/2", "h/3", "h/4"], told.Concat(again.Holders.Select(h => h.Holder)).Order(StringComparer.Ordinal));
        Assert.Null(await References.GetAsync(stored.Original.Id));
        await AssertNothingStoredAsync("h/0", "h/1", "h/2", "h/3", "h/4");
    }

    [Fact]
    public async Task Reconcile_finishes_a_purge_that_stopped_after_its_claim()
    {
        if (await TakedownEngineAsync() is not { } engine)
        {
            return;
        }

        var stored = await engine.DefaultScope.IngestAsync(new MemoryStream(TestImages.UniquePng(2_000)), new IngestRequest { Holder = "h/0" });
        await engine.DefaultScope.AddReferenceAsync(stored.Original.Id, "h/1");
        var bystander = await engine.DefaultScope.IngestAsync(new MemoryStream(TestImages.UniquePng(2_000)), new IngestRequest { Holder = "keep" });

        // What a purge that died right after its claim leaves: a deleting row with its references and blob.
        await ((ITakedownStore)References).ClaimForPurgeAsync(stored.Original.Id);
        Assert.Null(await engine.DefaultScope.FindByHolderAsync("h/0"));

        var reconciled = await engine.ReconcileAsync(Immediate);

        Assert.Equal(1, reconciled.DeletionsFinished);
        Assert.Null(await References.GetAsync(stored.Original.Id));
        Assert.Null(await References.FindByHolderAsync(string.Empty, "h/1"));
        Assert.Equal([bystander.Original.StorageKey], await ListBlobsAsync());
        Assert.Equal(bystander.Original.Id, (await engine.DefaultScope.FindByHolderAsync("keep"))?.Id);
    }

    [Fact]
    public async Task A_purge_whose_blob_delete_fails_still_releases_every_holder_and_reconcile_deletes_the_bytes()
    {
        if (await TakedownEngineAsync() is null)
        {
            return;
        }

        var failing = CreateEngine(wrapBlobs: b => StoreFaults.Wrap(b, nameof(IBlobStore.DeleteAsync)));
        var image = TestImages.UniquePng(2_000);
        var stored = await failing.DefaultScope.IngestAsync(new MemoryStream(image), new IngestRequest { Holder = "h/0" });

        var result = await failing.DefaultScope.PurgeAsync(stored.Original.Id, Purge());

        Assert.False(result.Finished);
        Assert.Equal([stored.Original.Id], result.OriginalsUnfinished);
        Assert.Equal(["h/0"], result.Holders.Select(h => h.Holder));
        Assert.Null(await failing.DefaultScope.GetAsync(stored.Original.Id));
        Assert.NotNull(await Blobs.GetPropertiesAsync(stored.Original.StorageKey));

        await CreateEngine().ReconcileAsync(Immediate);
        await AssertNothingStoredAsync("h/0");
    }

    [Fact]
    public async Task Ingests_racing_a_purge_with_block_never_make_the_bytes_live_afterwards()
    {
        if (await TakedownEngineAsync() is not { } engine)
        {
            return;
        }

        var image = TestImages.UniquePng(30_000);
        var digest = TestImages.DigestOf(image);
        await engine.DefaultScope.IngestAsync(new MemoryStream(image), new IngestRequest { Holder = "race/seed" });
        using var stop = new CancellationTokenSource();
        var purgeReturned = new TaskCompletionSource();
        var startedAfterPurge = 0;
        var ingests = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var afterPurge = purgeReturned.Task.IsCompleted;
                try
                {
                    await engine.DefaultScope.IngestAsync(new MemoryStream(image), new IngestRequest { Holder = $"race/{w}/{i % 3}" });
                    Assert.False(afterPurge, "an ingest that started after the purge with block returned succeeded");
                }
                catch (BlockedContentException)
                {
                    if (afterPurge)
                    {
                        Interlocked.Increment(ref startedAfterPurge);
                    }
                }
            }
        })).ToList();

        await Task.Delay(200);
        await engine.DefaultScope.PurgeAsync(digest, Purge(block: true));
        purgeReturned.SetResult();
        Assert.Null(await References.FindLiveAsync(string.Empty, digest));
        await Task.Delay(300);
        Assert.Null(await References.FindLiveAsync(string.Empty, digest));
        await stop.CancelAsync();
        await Task.WhenAll(ingests);

        Assert.True(startedAfterPurge > 0, "no ingest ran after the purge");
        Assert.Null(await References.FindLiveAsync(string.Empty, digest));

        // Every refused ingest cleaned up after itself: nothing for reconcile to do.
        await AssertNothingStoredAsync();
    }

    /// <summary>
    /// The engine of a takedown test, or null after asserting that an engine over a reference store
    /// without the capability refuses every takedown call with <see cref="NotSupportedException"/>.
    /// </summary>
    private async Task<IImageDedup?> TakedownEngineAsync(Action<ImageDedupOptions>? configure = null)
    {
        var engine = CreateEngine(configure);
        if (References is ITakedownStore)
        {
            return engine;
        }

        var digest = TestImages.DigestOf(TestImages.Png(1));
        await Assert.ThrowsAsync<NotSupportedException>(() => engine.PurgeEverywhereAsync(digest, Purge()));
        await Assert.ThrowsAsync<NotSupportedException>(() => engine.DefaultScope.PurgeAsync(Guid.NewGuid(), Purge()));
        await Assert.ThrowsAsync<NotSupportedException>(() => engine.DefaultScope.BlockAsync(digest, Because("x")));
        await Assert.ThrowsAsync<NotSupportedException>(() => engine.ListBlockedAsync());
        return null;
    }

    /// <summary>Ingests <paramref name="image"/> in each scope and spreads <paramref name="total"/> holders over them.</summary>
    private static async Task<List<(string Scope, string Holder)>> SpreadHoldersAsync(IImageDedup engine, byte[] image, string[] scopes, int total)
    {
        var holders = Enumerable.Range(0, total).Select(i => (Scope: scopes[i % scopes.Length], Holder: $"posts/{i:D4}/image")).ToList();
        foreach (var group in holders.GroupBy(h => h.Scope))
        {
            var scope = engine.Scope(group.Key);
            var first = await scope.IngestAsync(new MemoryStream(image), new IngestRequest { Holder = group.First().Holder });
            foreach (var (_, holder) in group.Skip(1))
            {
                await scope.AddReferenceAsync(first.Original.Id, holder);
            }
        }

        return holders;
    }

    /// <summary>No row of the purged originals, no reference of the released holders, no blob of theirs.</summary>
    private async Task AssertPurgedAsync(IReadOnlyCollection<Guid> purged, IEnumerable<(string Scope, string Holder)> released)
    {
        foreach (var id in purged)
        {
            Assert.Null(await References.GetAsync(id));
        }

        foreach (var (scope, holder) in released)
        {
            Assert.Null(await References.FindByHolderAsync(scope, holder));
        }

        var keys = await ListBlobsAsync();
        Assert.DoesNotContain(keys, key => purged.Any(id => key.EndsWith("." + id.ToString("N"), StringComparison.Ordinal)));
        var rows = new List<Original>();
        string? cursor = null;
        do
        {
            var page = await References.ListOriginalsAsync(null, cursor, 500);
            rows.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        Assert.DoesNotContain(rows, o => purged.Contains(o.Id));
        Assert.All(rows, o => Assert.Equal(OriginalState.Live, o.State));
    }
}
