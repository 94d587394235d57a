using ImageDedup.Storage;
using ImageDedup.Testing.Content;
using Xunit;

namespace ImageDedup.Testing.Engine;

/// <summary>
/// Batch ingest with group commit (<see cref="IImageDedupScope.IngestManyAsync"/>): each item gets
/// what single ingest would give it, one bad item never fails the others, and whatever goes wrong —
/// a bad file, a failing store, a cancellation, an enumeration stopped early — every item ends
/// wholly stored or not at all, with no pending or deleting row and no blob that no row names.
/// </summary>
public abstract partial class EngineConformanceTests
{
    [Fact]
    public async Task A_batch_stores_each_new_image_once_and_reports_every_item_in_input_order()
    {
        var engine = CreateEngine();
        var images = Enumerable.Range(0, 12).Select(i => TestImages.UniquePng(1_000 + (i * 997))).ToList();

        var results = await IngestManyAsync(engine.DefaultScope, images.Select((bytes, i) => Item(bytes, $"batch/{i}")), new IngestManyOptions { MaxItemsPerCommit = 5, MaxDegreeOfParallelism = 3 });

        Assert.Equal(Enumerable.Range(0, images.Count).Select(i => (long)i), results.Select(r => r.Index));
        for (var i = 0; i < images.Count; i++)
        {
            var result = results[i];
            Assert.True(result.Succeeded, result.Error?.ToString());
            Assert.True(result.Result.StoredNewBytes);
            Assert.True(result.Result.ReferenceAdded);
            Assert.Equal(TestImages.DigestOf(images[i]), result.Result.Original.Digest);
            Assert.Equal(OriginalState.Live, result.Result.Original.State);
            Assert.Equal(1, result.Result.Original.ReferenceCount);
            Assert.Equal(result.Result.Original.Id, (await engine.DefaultScope.FindByHolderAsync($"batch/{i}"))?.Id);
            await AssertBlobHoldsAsync(result.Result.Original, images[i]);
        }

        var stats = await engine.DefaultScope.GetStatisticsAsync();
        Assert.Equal(images.Count, stats.UniqueOriginals);
        Assert.Equal(images.Sum(b => (long)b.Length), stats.StoredBytes);
        Assert.Equal(0, stats.PendingOriginals);
        await AssertWholeAsync(images.Count);
    }

    [Fact]
    public async Task A_batch_writes_its_blobs_without_a_flush_each_and_flushes_once_per_group()
    {
        var (counted, probe) = StoreFaults.Count(Blobs);
        var (references, calls) = StoreFaults.Count(References);
        var engine = CreateEngine(wrapBlobs: _ => counted, wrapReferences: _ => references);
        var images = Enumerable.Range(0, 8).Select(_ => TestImages.UniquePng(2_000)).ToList();

        var results = await IngestManyAsync(engine.DefaultScope, images.Select((bytes, i) => Item(bytes, $"g/{i}")));

        Assert.All(results, r => Assert.True(r.Succeeded));
        Assert.Equal(images.Count, probe.Calls.GetValueOrDefault(nameof(IBlobStore.WriteWithoutFlushAsync)));
        Assert.Equal(0, probe.Calls.GetValueOrDefault(nameof(IBlobStore.WriteAsync)));
        var groups = calls.Calls.GetValueOrDefault(nameof(IReferenceStore.PromoteManyAsync));
        Assert.InRange(groups, 1, images.Count);
        Assert.Equal(groups, probe.Calls.GetValueOrDefault(nameof(IBlobStore.FlushAsync)));
        Assert.Equal(groups, calls.Calls.GetValueOrDefault(nameof(IReferenceStore.InsertPendingManyAsync)));
        foreach (var single in new[] { nameof(IReferenceStore.InsertPendingAsync), nameof(IReferenceStore.PromoteAsync), nameof(IReferenceStore.TryAttachAsync) })
        {
            Assert.Equal(0, calls.Calls.GetValueOrDefault(single));
        }
    }

    [Fact]
    public async Task Duplicates_within_one_batch_store_one_original_that_every_holder_points_at()
    {
        var (counted, probe) = StoreFaults.Count(Blobs);
        var engine = CreateEngine(wrapBlobs: _ => counted);
        var shared = TestImages.UniquePng(30_000);
        var other = TestImages.UniquePng(20_000);
        byte[][] images = [shared, other, shared, shared, other];

        var results = await IngestManyAsync(engine.DefaultScope, images.Select((bytes, i) => Item(bytes, $"dup/{i}")));

        Assert.All(results, r => Assert.True(r.Succeeded, r.Error?.ToString()));
        Assert.Equal(2, probe.Calls.GetValueOrDefault(nameof(IBlobStore.WriteWithoutFlushAsync)));
        Assert.Equal([true, true, false, false, false], results.Select(r => r.Result!.StoredNewBytes));
        Assert.All(results, r => Assert.True(r.Result!.ReferenceAdded));
        var sharedId = results[0].Result!.Original.Id;
        Assert.Equal([sharedId, sharedId, sharedId], new[] { 0, 2, 3 }.Select(i => results[i].Result!.Original.Id));
        Assert.Equal(3, (await engine.DefaultScope.GetAsync(sharedId))!.ReferenceCount);
        Assert.Equal(2, (await engine.DefaultScope.GetAsync(results[1].Result!.Original.Id))!.ReferenceCount);
        await AssertWholeAsync(2);
    }

    [Fact]
    public async Task Duplicates_of_stored_originals_write_nothing_and_a_rerun_changes_nothing()
    {
        var engine = CreateEngine();
        var images = Enumerable.Range(0, 6).Select(_ => TestImages.UniquePng(5_000)).ToList();
        var stored = await engine.DefaultScope.IngestAsync(new MemoryStream(images[0]), new IngestRequest { Holder = "single/0" });
        var (counted, probe) = StoreFaults.Count(Blobs);
        var batchEngine = CreateEngine(wrapBlobs: _ => counted);

        var first = await IngestManyAsync(batchEngine.DefaultScope, images.Select((bytes, i) => Item(bytes, $"run/{i}")));
        var writesAfterFirst = probe.Calls.GetValueOrDefault(nameof(IBlobStore.WriteWithoutFlushAsync));
        var again = await IngestManyAsync(batchEngine.DefaultScope, images.Select((bytes, i) => Item(bytes, $"run/{i}")));

        Assert.False(first[0].Result!.StoredNewBytes);
        Assert.True(first[0].Result!.ReferenceAdded);
        Assert.Equal(stored.Original.Id, first[0].Result!.Original.Id);
        Assert.Equal(2, first[0].Result!.Original.ReferenceCount);
        Assert.Equal(images.Count - 1, writesAfterFirst);
        Assert.All(again, r =>
        {
            Assert.True(r.Succeeded);
            Assert.False(r.Result.StoredNewBytes);
            Assert.False(r.Result.ReferenceAdded);
        });
        Assert.Equal(first.Select(r => r.Result!.Original.Id), again.Select(r => r.Result!.Original.Id));
        Assert.Equal(writesAfterFirst, probe.Calls.GetValueOrDefault(nameof(IBlobStore.WriteWithoutFlushAsync)));
        await AssertWholeAsync(images.Count);
    }

    [Fact]
    public async Task Bad_items_fail_alone_with_the_exception_single_ingest_throws_and_leave_nothing()
    {
        var engine = CreateEngine(o => o.MaxImageBytes = 200_000);
        var good = Enumerable.Range(0, 3).Select(_ => TestImages.UniquePng(3_000)).ToList();
        var png = TestImages.UniquePng(300_000);
        var bad = new (IngestItem Item, Type Error)[]
        {
            (Item([], "bad/empty"), typeof(EmptyContentException)),
            (Item(TestImages.NotAnImage(), "bad/not-an-image"), typeof(NotAnImageException)),
            (Item(png[..100_000], "bad/cut-short"), typeof(ImageTruncatedException)),
            (Item(TestImages.UniquePng(250_000), "bad/too-large"), typeof(ContentTooLargeException)),
            (Item(TestImages.UniquePng(4_000), "bad/declared", expectedLength: 5_000), typeof(ContentIntegrityException)),
            (new IngestItem(_ => ValueTask.FromResult<Stream>(new FaultingStream(TestImages.UniquePng(100_000), 50_000)), new IngestRequest { Holder = "bad/breaks" }), typeof(IOException)),
            (new IngestItem(_ => ValueTask.FromResult<Stream>(new MutatingStream(TestImages.UniquePng(150_000))), new IngestRequest { Holder = "bad/changes" }), typeof(ContentIntegrityException)),
            (new IngestItem(_ => throw new FileNotFoundException("gone", "missing.png"), new IngestRequest { Holder = "bad/missing" }), typeof(FileNotFoundException)),
            (Item(TestImages.UniquePng(1_000), "bad\nholder"), typeof(ArgumentException)),
            (Item(TestImages.UniquePng(1_000), "bad/negative", expectedLength: -1), typeof(ArgumentOutOfRangeException)),
        };
        var items = new List<IngestItem> { Item(good[0], "good/0") };
        items.AddRange(bad.Select(b => b.Item));
        items.Add(Item(good[1], "good/1"));
        items.Add(Item(good[2], "good/2"));

        var results = await IngestManyAsync(engine.DefaultScope, items, new IngestManyOptions { MaxItemsPerCommit = 4 });

        Assert.Equal(items.Count, results.Count);
        Assert.True(results[0].Succeeded);
        Assert.True(results[^1].Succeeded);
        Assert.True(results[^2].Succeeded);
        for (var i = 0; i < bad.Length; i++)
        {
            var result = results[i + 1];
            Assert.False(result.Succeeded);
            Assert.Null(result.Result);
            Assert.IsType(bad[i].Error, result.Error);
            Assert.Same(bad[i].Item, result.Item);
        }

        foreach (var holder in new[] { "bad/empty", "bad/not-an-image", "bad/cut-short", "bad/too-large", "bad/declared", "bad/breaks", "bad/changes", "bad/missing" })
        {
            Assert.Null(await engine.DefaultScope.FindByHolderAsync(holder));
        }

        await AssertWholeAsync(good.Count);
    }

    [Fact]
    public async Task A_holder_named_twice_in_one_batch_ends_at_the_later_item()
    {
        var engine = CreateEngine();
        var first = TestImages.UniquePng(2_000);
        var second = TestImages.UniquePng(2_000);
        var existing = TestImages.UniquePng(2_000);
        await engine.DefaultScope.IngestAsync(new MemoryStream(existing), new IngestRequest { Holder = "keep" });

        var results = await IngestManyAsync(engine.DefaultScope, [Item(first, "twice"), Item(existing, "other"), Item(second, "twice"), Item(existing, "twice")]);

        Assert.All(results, r => Assert.True(r.Succeeded, r.Error?.ToString()));
        Assert.Equal(TestImages.DigestOf(existing), (await engine.DefaultScope.FindByHolderAsync("twice"))?.Digest);
        // Each re-pointing released the holder's previous original, the last of its references: deleted.
        Assert.Null(await engine.DefaultScope.FindByDigestAsync(TestImages.DigestOf(first)));
        Assert.Null(await engine.DefaultScope.FindByDigestAsync(TestImages.DigestOf(second)));
        Assert.Equal(3, (await engine.DefaultScope.FindByDigestAsync(TestImages.DigestOf(existing)))!.ReferenceCount);
        await AssertWholeAsync(1);
    }

    [Fact]
    public async Task Quotas_apply_to_each_new_item_of_a_batch_in_input_order_and_never_to_duplicates()
    {
        var engine = CreateEngine(o => o.ScopeQuotas[""] = new ScopeQuota { MaxOriginals = 3, MaxStoredBytes = 10_000 });
        var held = TestImages.UniquePng(1_000);
        await engine.DefaultScope.IngestAsync(new MemoryStream(held), new IngestRequest { Holder = "held" });
        var big = TestImages.UniquePng(8_000);
        var small = Enumerable.Range(0, 4).Select(_ => TestImages.UniquePng(1_000)).ToList();

        // Usage: 1 original of 1,000 bytes. big (8,000) and small[0] fill the 10,000 bytes and the 3
        // originals; the later new bytes are refused. Duplicates — of held, and of small[0] stored
        // earlier in the same batch — never count.
        var results = await IngestManyAsync(engine.DefaultScope, [Item(big, "q/big"), Item(small[0], "q/0"), Item(held, "q/held"), Item(small[1], "q/1"), Item(small[0], "q/0-again"), Item(small[2], "q/2")]);

        Assert.True(results[0].Succeeded);
        Assert.True(results[1].Succeeded);
        Assert.True(results[2].Succeeded);
        Assert.False(results[2].Result!.StoredNewBytes);
        var refused = Assert.IsType<QuotaExceededException>(results[3].Error);
        Assert.Equal(QuotaMeasure.StoredBytes, refused.Measure);
        Assert.Equal(10_000, refused.Usage);
        Assert.True(results[4].Succeeded); // a duplicate of an item stored earlier in the batch
        Assert.False(results[4].Result!.StoredNewBytes);
        Assert.IsType<QuotaExceededException>(results[5].Error);
        var stats = await engine.DefaultScope.GetStatisticsAsync();
        Assert.Equal(3, stats.UniqueOriginals);
        Assert.Equal(10_000, stats.StoredBytes);
        Assert.Equal(0, stats.PendingOriginals);
        await AssertWholeAsync(3);
    }

    [Fact]
    public async Task A_blob_write_that_fails_fails_its_item_only_and_leaves_nothing_of_it()
    {
        var engine = CreateEngine(wrapBlobs: blobs => StoreFaults.Wrap(blobs, nameof(IBlobStore.WriteWithoutFlushAsync), successesFirst: 2));
        var images = Enumerable.Range(0, 5).Select(_ => TestImages.UniquePng(200_000)).ToList();

        var results = await IngestManyAsync(engine.DefaultScope, images.Select((bytes, i) => Item(bytes, $"w/{i}")), new IngestManyOptions { MaxDegreeOfParallelism = 1, MaxItemsPerCommit = 10 });

        // From the third write on every write fails half-way, whichever group the items fell in.
        Assert.Equal(2, results.Count(r => r.Succeeded));
        Assert.All(results.Where(r => !r.Succeeded), r => Assert.IsType<IOException>(r.Error));
        await AssertWholeAsync(2);
    }

    [Fact]
    public async Task A_failing_flush_or_promotion_fails_its_group_and_leaves_nothing()
    {
        foreach (var (blobFault, referenceFault) in new[] { (nameof(IBlobStore.FlushAsync), ""), ("", nameof(IReferenceStore.PromoteManyAsync)), ("", nameof(IReferenceStore.InsertPendingManyAsync)) })
        {
            var engine = CreateEngine(
                wrapBlobs: blobs => StoreFaults.Wrap(blobs, blobFault),
                wrapReferences: references => StoreFaults.Wrap(references, referenceFault));
            var stored = TestImages.UniquePng(1_000);
            await CreateEngine().DefaultScope.IngestAsync(new MemoryStream(stored), new IngestRequest { Holder = $"before/{blobFault}{referenceFault}" });
            var images = Enumerable.Range(0, 4).Select(_ => TestImages.UniquePng(3_000)).ToList();

            var results = await IngestManyAsync(engine.DefaultScope, images.Select((bytes, i) => Item(bytes, $"f/{i}")).Append(Item(stored, $"dup/{blobFault}{referenceFault}")));

            Assert.All(results.Take(images.Count), r => Assert.IsType<IOException>(r.Error));
            Assert.True(results[^1].Succeeded, "a duplicate is attached before any new bytes are stored");
            foreach (var bytes in images)
            {
                Assert.Null(await References.FindLiveAsync(string.Empty, TestImages.DigestOf(bytes)));
            }

            await StoreInvariants.AssertWholeAsync(References, Blobs);
        }
    }

    [Fact]
    public async Task Cancelling_a_batch_leaves_every_item_whole_or_absent()
    {
        var engine = CreateEngine();
        var images = Enumerable.Range(0, 40).Select(_ => TestImages.UniquePng(20_000)).ToList();
        using var cts = new CancellationTokenSource();
        var items = images.Select((bytes, i) => new IngestItem(
            _ =>
            {
                if (i == 25)
                {
                    cts.Cancel();
                }

                return ValueTask.FromResult<Stream>(new MemoryStream(bytes));
            },
            new IngestRequest { Holder = $"c/{i}" }));
        var yielded = new List<IngestItemResult>();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var result in engine.DefaultScope.IngestManyAsync(items.ToAsyncEnumerable(), new IngestManyOptions { MaxItemsPerCommit = 7, MaxDegreeOfParallelism = 2 }, cts.Token))
            {
                yielded.Add(result);
            }
        });

        Assert.True(yielded.Count < images.Count);
        Assert.Equal(Enumerable.Range(0, yielded.Count).Select(i => (long)i), yielded.Select(r => r.Index));
        Assert.All(yielded, r => Assert.True(r.Succeeded, r.Error?.ToString()));
        for (var i = 0; i < images.Count; i++)
        {
            var holder = await engine.DefaultScope.FindByHolderAsync($"c/{i}");
            if (i < yielded.Count)
            {
                Assert.Equal(yielded[i].Result!.Original.Id, holder?.Id);
            }
            else
            {
                Assert.Null(holder);
            }
        }

        await AssertWholeAsync(yielded.Count);
    }

    [Fact]
    public async Task Stopping_the_enumeration_early_leaves_every_item_whole_or_absent()
    {
        var engine = CreateEngine();
        var images = Enumerable.Range(0, 30).Select(_ => TestImages.UniquePng(10_000)).ToList();

        await foreach (var result in engine.DefaultScope.IngestManyAsync(images.Select((bytes, i) => Item(bytes, $"s/{i}")).ToAsyncEnumerable(), new IngestManyOptions { MaxItemsPerCommit = 4 }))
        {
            Assert.True(result.Succeeded);
            break;
        }

        // Items past the first group were read ahead, never stored; the groups that committed are whole.
        var stored = 0;
        for (var i = 0; i < images.Count; i++)
        {
            if (await engine.DefaultScope.FindByHolderAsync($"s/{i}") is { } original)
            {
                stored++;
                await AssertBlobHoldsAsync(original, images[i]);
            }
        }

        Assert.InRange(stored, 1, images.Count);
        await AssertWholeAsync(stored);
    }

    [Fact]
    public async Task A_batch_heals_a_stored_original_whose_blob_went_missing()
    {
        var engine = CreateEngine();
        var bytes = TestImages.UniquePng(7_000);
        var stored = await engine.DefaultScope.IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = "heal/0" });
        await Blobs.DeleteAsync(stored.Original.StorageKey);
        await References.MarkBlobMissingAsync(stored.Original.Id, missing: true);

        var results = await IngestManyAsync(engine.DefaultScope, [Item(bytes, "heal/1")]);

        Assert.True(results[0].Result!.StoredNewBytes);
        Assert.Null(results[0].Result!.Original.BlobMissingSince);
        Assert.Equal(stored.Original.Id, results[0].Result!.Original.Id);
        await AssertBlobHoldsAsync(stored.Original, bytes);
    }

    [Fact]
    public async Task Concurrent_batches_and_single_ingests_of_overlapping_bytes_keep_every_original_whole()
    {
        var engine = CreateEngine();
        var images = Enumerable.Range(0, 10).Select(i => TestImages.UniquePng(3_000 + i)).ToList();
        var batches = Enumerable.Range(0, 3).Select(worker => Task.Run(() => IngestManyAsync(
            engine.DefaultScope,
            images.Select((bytes, i) => Item(bytes, $"w{worker}/{i}")),
            new IngestManyOptions { MaxItemsPerCommit = 3 })));
        var singles = Task.Run(async () =>
        {
            foreach (var (bytes, i) in images.Select((b, i) => (b, i)).Reverse())
            {
                await engine.DefaultScope.IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = $"single/{i}" });
            }
        });

        var results = await Task.WhenAll(batches);
        await singles;

        Assert.All(results.SelectMany(r => r), r => Assert.True(r.Succeeded, r.Error?.ToString()));
        foreach (var bytes in images)
        {
            var original = await engine.DefaultScope.FindByDigestAsync(TestImages.DigestOf(bytes));
            Assert.NotNull(original);
            Assert.Equal(4, original.ReferenceCount);
        }

        await AssertWholeAsync(images.Count);
    }

    [Fact]
    public async Task Batch_arguments_are_checked_when_the_batch_is_asked_for()
    {
        var engine = CreateEngine();
        var none = Array.Empty<IngestItem>().ToAsyncEnumerable();

        Assert.Throws<ArgumentNullException>(() => engine.DefaultScope.IngestManyAsync(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => engine.DefaultScope.IngestManyAsync(none, new IngestManyOptions { MaxDegreeOfParallelism = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => engine.DefaultScope.IngestManyAsync(none, new IngestManyOptions { MaxItemsPerCommit = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => engine.DefaultScope.IngestManyAsync(none, new IngestManyOptions { MaxItemsPerCommit = 10_001 }));
        Assert.Empty(await IngestManyAsync(engine.DefaultScope, []));
        await Assert.ThrowsAsync<ArgumentNullException>(() => IngestManyAsync(engine.DefaultScope, [Item(TestImages.UniquePng(), "n/0"), null!]));
        await StoreInvariants.AssertWholeAsync(References, Blobs);
    }

    // ---- The block list (docs/takedown.md) ---------------------------------------------------------

    [Fact]
    public async Task A_batch_refuses_blocked_items_stores_nothing_of_them_and_ingests_the_rest()
    {
        var engine = CreateEngine();
        var held = TestImages.UniquePng(3_000);
        await engine.DefaultScope.IngestAsync(new MemoryStream(held), new IngestRequest { Holder = "held/1" });
        var fresh = TestImages.UniquePng(3_100);
        var tenantRule = TestImages.UniquePng(3_200);
        var byPerson = new BlockRequest { RequestedBy = "trust-and-safety@example.org", Reason = "reported" };
        await engine.DefaultScope.BlockAsync(TestImages.DigestOf(held), byPerson);
        await engine.BlockEverywhereAsync(TestImages.DigestOf(fresh), byPerson);
        await engine.Scope("elsewhere").BlockAsync(TestImages.DigestOf(tenantRule), byPerson);
        var ok = new[] { TestImages.UniquePng(3_300), TestImages.UniquePng(3_400) };

        var results = await IngestManyAsync(engine.DefaultScope, [Item(ok[0], "b/0"), Item(fresh, "b/fresh"), Item(held, "b/held"), Item(tenantRule, "b/tenant"), Item(ok[1], "b/1"), Item(fresh, "b/fresh-again")]);

        Assert.Equal([true, false, false, true, true, false], results.Select(r => r.Succeeded));
        Assert.All(results.Where(r => !r.Succeeded), r => Assert.IsType<BlockedContentException>(r.Error));
        foreach (var holder in new[] { "b/fresh", "b/held", "b/fresh-again" })
        {
            Assert.Null(await engine.DefaultScope.FindByHolderAsync(holder));
        }

        Assert.Null(await engine.DefaultScope.FindByDigestAsync(TestImages.DigestOf(fresh)));
        await AssertWholeAsync(liveOriginals: 4); // held (kept: a block refuses, a purge removes), the two, and the tenant's rule's bytes here
    }

    [Fact]
    public async Task A_block_that_lands_while_a_batch_writes_keeps_those_bytes_from_going_live()
    {
        var intercepting = new InterceptingBlobStore(Blobs);
        var engine = CreateEngine(wrapBlobs: _ => intercepting);
        var target = TestImages.UniquePng(4_000);
        var digest = TestImages.DigestOf(target);
        var others = new[] { TestImages.UniquePng(4_100), TestImages.UniquePng(4_200) };
        var blocked = 0;
        intercepting.BeforeWrite = async key =>
        {
            // The batch checked the block list before its group; the block lands as the group writes.
            if (key.Contains(digest.Hex, StringComparison.Ordinal) && Interlocked.Exchange(ref blocked, 1) == 0)
            {
                await engine.DefaultScope.BlockAsync(digest, new BlockRequest { RequestedBy = "ops", Reason = "takedown notice" });
            }
        };

        var results = await IngestManyAsync(engine.DefaultScope, [Item(others[0], "r/0"), Item(target, "r/target"), Item(others[1], "r/1")], new IngestManyOptions { MaxItemsPerCommit = 10 });

        Assert.Equal(1, blocked);
        Assert.Equal([true, false, true], results.Select(r => r.Succeeded));
        Assert.IsType<BlockedContentException>(results[1].Error);
        Assert.Null(await engine.DefaultScope.FindByHolderAsync("r/target"));
        Assert.Null(await engine.DefaultScope.FindByDigestAsync(digest));
        await AssertWholeAsync(liveOriginals: 2);
        Assert.DoesNotContain(await StoreInvariants.AllBlobKeysAsync(Blobs), k => k.Contains(digest.Hex, StringComparison.Ordinal));
        await Assert.ThrowsAsync<BlockedContentException>(() => engine.DefaultScope.IngestAsync(new MemoryStream(target), new IngestRequest { Holder = "r/target" }));
    }

    // ---- Helpers --------------------------------------------------------------------------------

    /// <summary>An item over bytes in memory, opened as a fresh stream when the batch reaches it.</summary>
    private static IngestItem Item(byte[] bytes, string? holder, long? expectedLength = null)
        => new(_ => ValueTask.FromResult<Stream>(new MemoryStream(bytes, writable: false)), new IngestRequest { Holder = holder, ExpectedLength = expectedLength });

    /// <summary>Runs a batch to its end and returns every result.</summary>
    private static async Task<List<IngestItemResult>> IngestManyAsync(IImageDedupScope scope, IEnumerable<IngestItem> items, IngestManyOptions? options = null)
    {
        var results = new List<IngestItemResult>();
        await foreach (var result in scope.IngestManyAsync(items.ToAsyncEnumerable(), options))
        {
            results.Add(result);
        }

        return results;
    }

    /// <summary>The invariants after a batch (<see cref="StoreInvariants"/>), and exactly <paramref name="liveOriginals"/> originals.</summary>
    private async Task AssertWholeAsync(int liveOriginals)
        => Assert.Equal(liveOriginals, (await StoreInvariants.AssertWholeAsync(References, Blobs)).Count);
}
