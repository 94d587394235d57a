using ImageDedup.Storage;
using ImageDedup.Testing.Content;
using Xunit;

namespace ImageDedup.Testing.Blobs;

/// <summary>
/// Writes without a flush each and one flush for many (batch ingest's group commit): a blob written
/// so is readable, whole or absent exactly as after <see cref="IBlobStore.WriteAsync"/>, and the
/// flush of many keys — some deleted since, some never written — succeeds. (Durability itself, what
/// the flush adds, only a power cut shows; docs/batch-ingest.md argues it.)
/// </summary>
public abstract partial class BlobStoreConformanceTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(64 * KiB)]
    [InlineData(3 * MiB)]
    public async Task A_blob_written_without_flush_reads_back_before_and_after_the_flush(int length)
    {
        var store = await CreateStoreAsync();
        var content = Content(length);
        var key = KeyFor(content);

        await store.WriteWithoutFlushAsync(key, NonSeekableStream.Over(content, maxChunk: 7001), Metadata(content));

        Assert.Equal(content, await ReadAllAsync(store, key));
        await store.FlushAsync([key]);
        Assert.Equal(content, await ReadAllAsync(store, key));
        Assert.Equal(content.Length, (await store.GetPropertiesAsync(key))?.Length);
    }

    [Fact]
    public async Task Many_concurrent_writes_without_flush_and_one_flush_all_round_trip()
    {
        var store = await CreateStoreAsync();
        var contents = Enumerable.Range(0, 40).Select(i => Content((i * 3 * KiB) + 17 + i)).ToArray();

        await Task.WhenAll(contents.Select(content => Task.Run(() => store.WriteWithoutFlushAsync(KeyFor(content), new MemoryStream(content), Metadata(content)))));
        await store.FlushAsync([.. contents.Select(KeyFor)]);

        foreach (var content in contents)
        {
            Assert.Equal(content, await ReadAllAsync(store, KeyFor(content)));
        }

        Assert.Equal(contents.Select(KeyFor).Order(StringComparer.Ordinal), await ListKeysAsync(store, null));
    }

    [Fact]
    public async Task Flushing_keys_deleted_since_or_never_written_is_no_error()
    {
        var store = await CreateStoreAsync();
        var kept = Content(5 * KiB);
        var deleted = Content(6 * KiB);
        await store.WriteWithoutFlushAsync(KeyFor(kept), new MemoryStream(kept), Metadata(kept));
        await store.WriteWithoutFlushAsync(KeyFor(deleted), new MemoryStream(deleted), Metadata(deleted));
        await store.DeleteAsync(KeyFor(deleted));

        await store.FlushAsync([KeyFor(kept), KeyFor(deleted), KeyFor(Content(7 * KiB))]);
        await store.FlushAsync([]);

        Assert.Equal([KeyFor(kept)], await ListKeysAsync(store, null));
    }

    [Fact]
    public async Task A_write_without_flush_that_fails_leaves_nothing_under_the_key()
    {
        var store = await CreateStoreAsync();
        var broken = Content(1 * MiB);
        var fault = new IOException("The source broke (injected).");
        var shorter = Content(100 * KiB);
        using var cancellation = new CancellationTokenSource();
        var cancelled = Content(2 * MiB);
        var cancelling = NonSeekableStream.Over(cancelled, maxChunk: 16 * KiB, onRead: position =>
        {
            if (position >= cancelled.Length / 2)
            {
                cancellation.Cancel();
            }
        });

        await Assert.ThrowsAnyAsync<Exception>(() => store.WriteWithoutFlushAsync(KeyFor(broken), new FaultingStream(broken, broken.Length / 2, () => fault), Metadata(broken)));
        await Assert.ThrowsAsync<ContentIntegrityException>(() => store.WriteWithoutFlushAsync(KeyFor(shorter), NonSeekableStream.Over(shorter), Metadata(shorter) with { Length = shorter.Length + 1 }));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.WriteWithoutFlushAsync(KeyFor(cancelled), cancelling, Metadata(cancelled), cancellation.Token));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.WriteWithoutFlushAsync("sha256/../x.1", new MemoryStream(shorter), Metadata(shorter)));

        foreach (var content in new[] { broken, shorter, cancelled })
        {
            await AssertAbsentAsync(store, KeyFor(content));
        }

        Assert.Empty(await ListKeysAsync(store, null));
    }
}
