using System.Security.Cryptography;
using ImageDedup.Storage;
using ImageDedup.Testing.Content;
using Xunit;

namespace ImageDedup.Testing.Blobs;

/// <summary>
/// The behaviour every <see cref="IBlobStore"/> must show. A provider's test project derives one
/// concrete class and supplies a fresh, empty store per test.
/// </summary>
public abstract partial class BlobStoreConformanceTests
{
    private const int KiB = 1024;
    private const int MiB = 1024 * KiB;

    /// <summary>Creates a fresh, empty store for one test. The derived class cleans it up.</summary>
    protected abstract Task<IBlobStore> CreateStoreAsync();

    [Theory]
    [InlineData(1)]
    [InlineData(64 * KiB - 1)]
    [InlineData(64 * KiB)]
    [InlineData(64 * KiB + 1)]
    [InlineData(3 * MiB)]
    public async Task Write_then_read_returns_the_same_bytes(int length)
    {
        var store = await CreateStoreAsync();
        var content = Content(length);
        var key = KeyFor(content);

        await WriteAsync(store, key, content);

        Assert.Equal(content, await ReadAllAsync(store, key));
    }

    [Fact]
    public async Task Write_accepts_a_non_seekable_stream_that_hands_out_small_chunks()
    {
        var store = await CreateStoreAsync();
        var content = Content(300 * KiB + 7);
        var key = KeyFor(content);

        await store.WriteAsync(key, NonSeekableStream.Over(content, maxChunk: 1000), Metadata(content));

        Assert.Equal(content, await ReadAllAsync(store, key));
    }

    [Fact]
    public async Task Write_does_not_dispose_the_content_stream()
    {
        var store = await CreateStoreAsync();
        var content = Content(10 * KiB);
        using var stream = new MemoryStream(content, writable: false);

        await store.WriteAsync(KeyFor(content), stream, Metadata(content));

        Assert.True(stream.CanRead, "The caller owns the content stream; the store must not dispose it.");
        Assert.Equal(content.Length, stream.Position);
    }

    [Theory]
    [InlineData(0, 100)]
    [InlineData(100_000, 5_000)]
    [InlineData(200 * KiB - 10, 10)]
    [InlineData(200 * KiB - 1, 1)]
    public async Task Range_read_returns_exactly_those_bytes(int offset, int length)
    {
        var store = await CreateStoreAsync();
        var content = Content(200 * KiB);
        var key = KeyFor(content);
        await WriteAsync(store, key, content);

        var read = await ReadAllAsync(store, key, new ByteRange(offset, length));

        Assert.Equal(content.AsSpan(offset, length).ToArray(), read);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(123_457)]
    [InlineData(200 * KiB - 1)]
    public async Task Open_ended_range_read_returns_the_bytes_to_the_end(int offset)
    {
        var store = await CreateStoreAsync();
        var content = Content(200 * KiB);
        var key = KeyFor(content);
        await WriteAsync(store, key, content);

        var read = await ReadAllAsync(store, key, new ByteRange(offset));

        Assert.Equal(content.AsSpan(offset).ToArray(), read);
    }

    [Fact]
    public async Task Range_read_whose_length_runs_past_the_end_stops_at_the_end()
    {
        var store = await CreateStoreAsync();
        var content = Content(50 * KiB);
        var key = KeyFor(content);
        await WriteAsync(store, key, content);

        var read = await ReadAllAsync(store, key, new ByteRange(40 * KiB, 1 * MiB));

        Assert.Equal(content.AsSpan(40 * KiB).ToArray(), read);
    }

    [Fact]
    public async Task Range_read_starting_beyond_the_end_throws_ArgumentOutOfRangeException()
    {
        var store = await CreateStoreAsync();
        var content = Content(10 * KiB);
        var key = KeyFor(content);
        await WriteAsync(store, key, content);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () =>
        {
            await using var stream = await store.OpenReadAsync(key, new ByteRange(content.Length + 1, 10));
        });
    }

    [Fact]
    public async Task Reading_a_missing_key_throws_BlobNotFoundException()
    {
        var store = await CreateStoreAsync();
        var key = KeyFor(Content(16));

        var error = await Assert.ThrowsAsync<BlobNotFoundException>(() => store.OpenReadAsync(key));

        Assert.Equal(key, error.Key);
        await Assert.ThrowsAsync<BlobNotFoundException>(() => store.OpenReadAsync(key, new ByteRange(0, 1)));
    }

    [Fact]
    public async Task Delete_returns_whether_the_blob_existed_and_is_idempotent()
    {
        var store = await CreateStoreAsync();
        var content = Content(20 * KiB);
        var key = KeyFor(content);
        await WriteAsync(store, key, content);

        Assert.True(await store.DeleteAsync(key));
        await AssertAbsentAsync(store, key);

        Assert.False(await store.DeleteAsync(key));
        Assert.False(await store.DeleteAsync(KeyFor(Content(16))));
        await AssertAbsentAsync(store, key);
    }

    [Fact]
    public async Task Delete_leaves_other_blobs_alone()
    {
        var store = await CreateStoreAsync();
        var first = Content(1 * KiB);
        var second = Content(2 * KiB);
        var firstKey = KeyFor(first);
        var secondKey = KeyFor(second);
        await WriteAsync(store, firstKey, first);
        await WriteAsync(store, secondKey, second);

        await store.DeleteAsync(firstKey);

        Assert.Equal(second, await ReadAllAsync(store, secondKey));
    }

    [Fact]
    public async Task Properties_report_key_length_and_write_time()
    {
        var store = await CreateStoreAsync();
        var content = Content(70 * KiB);
        var key = KeyFor(content);
        var before = DateTimeOffset.UtcNow;
        await WriteAsync(store, key, content);
        var after = DateTimeOffset.UtcNow;

        var properties = await store.GetPropertiesAsync(key);

        Assert.NotNull(properties);
        Assert.Equal(key, properties.Key);
        Assert.Equal(content.Length, properties.Length);
        // The store's clock; allow for coarse timestamps and a server clock slightly off.
        Assert.InRange(properties.LastModified, before.AddMinutes(-1), after.AddMinutes(1));
    }

    [Fact]
    public async Task Properties_of_a_missing_key_are_null()
    {
        var store = await CreateStoreAsync();

        Assert.Null(await store.GetPropertiesAsync(KeyFor(Content(16))));
    }

    [Fact]
    public async Task Listing_returns_exactly_the_blobs_under_the_prefix()
    {
        var store = await CreateStoreAsync();
        var written = new Dictionary<string, byte[]>();
        foreach (var key in new[]
        {
            "sha256/aa/01/first.1", "sha256/aa/01/second.1", "sha256/aa/02/third.1",
            "sha256/ab/01/fourth.1", "sha256/b0/01/fifth.1", "other/aa/sixth.1",
        })
        {
            var content = Content(100 + written.Count);
            await WriteAsync(store, key, content);
            written[key] = content;
        }

        Assert.Equal(["sha256/aa/01/first.1", "sha256/aa/01/second.1", "sha256/aa/02/third.1"], await ListKeysAsync(store, "sha256/aa/"));
        Assert.Equal(["sha256/aa/01/first.1", "sha256/aa/01/second.1"], await ListKeysAsync(store, "sha256/aa/01/"));
        Assert.Equal(["sha256/aa/01/first.1", "sha256/aa/01/second.1", "sha256/aa/02/third.1", "sha256/ab/01/fourth.1"], await ListKeysAsync(store, "sha256/a"));
        Assert.Equal(["sha256/aa/01/second.1"], await ListKeysAsync(store, "sha256/aa/01/s"));
        Assert.Equal(written.Keys.Order(StringComparer.Ordinal), await ListKeysAsync(store, null));
        Assert.Equal(written.Keys.Order(StringComparer.Ordinal), await ListKeysAsync(store, ""));
        Assert.Empty(await ListKeysAsync(store, "sha256/c"));
        Assert.Empty(await ListKeysAsync(store, "nothing/"));
    }

    [Fact]
    public async Task Listing_reports_the_length_of_each_blob()
    {
        var store = await CreateStoreAsync();
        var content = Content(3 * KiB + 5);
        var key = KeyFor(content);
        await WriteAsync(store, key, content);

        var listed = Assert.Single(await ListAsync(store, "sha256/"));

        Assert.Equal(key, listed.Key);
        Assert.Equal(content.Length, listed.Length);
    }

    [Fact]
    public async Task Listing_omits_deleted_blobs()
    {
        var store = await CreateStoreAsync();
        var kept = Content(1 * KiB);
        var gone = Content(2 * KiB);
        await WriteAsync(store, KeyFor(kept), kept);
        await WriteAsync(store, KeyFor(gone), gone);

        await store.DeleteAsync(KeyFor(gone));

        Assert.Equal([KeyFor(kept)], await ListKeysAsync(store, null));
    }

    [Fact]
    public async Task A_content_stream_that_throws_half_way_leaves_nothing_under_the_key()
    {
        var store = await CreateStoreAsync();
        var content = Content(1 * MiB);
        var key = KeyFor(content);
        var fault = new IOException("The upload connection was reset (injected).");
        var stream = new FaultingStream(content, failAfter: content.Length / 2, () => fault);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => store.WriteAsync(key, stream, Metadata(content)));

        Assert.True(Chain(error).Contains(fault), $"Expected the stream's own exception to surface, got {error}");
        await AssertAbsentAsync(store, key);
        Assert.Empty(await ListKeysAsync(store, null));
    }

    [Fact]
    public async Task Cancelling_half_way_leaves_nothing_under_the_key()
    {
        var store = await CreateStoreAsync();
        var content = Content(2 * MiB);
        var key = KeyFor(content);
        using var cancellation = new CancellationTokenSource();
        var stream = NonSeekableStream.Over(content, maxChunk: 16 * KiB, onRead: position =>
        {
            if (position >= content.Length / 2)
            {
                cancellation.Cancel();
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.WriteAsync(key, stream, Metadata(content), cancellation.Token));

        await AssertAbsentAsync(store, key);
        Assert.Empty(await ListKeysAsync(store, null));
    }

    [Fact]
    public async Task Writing_with_an_already_cancelled_token_leaves_nothing()
    {
        var store = await CreateStoreAsync();
        var content = Content(4 * KiB);
        var key = KeyFor(content);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.WriteAsync(key, new MemoryStream(content), Metadata(content), new CancellationToken(canceled: true)));

        await AssertAbsentAsync(store, key);
    }

    [Fact]
    public async Task A_stream_shorter_than_declared_throws_ContentIntegrityException_and_leaves_nothing()
    {
        var store = await CreateStoreAsync();
        var content = Content(100 * KiB);
        var key = KeyFor(content);
        var declared = Metadata(content) with { Length = content.Length + 1 };

        await Assert.ThrowsAsync<ContentIntegrityException>(() => store.WriteAsync(key, NonSeekableStream.Over(content, maxChunk: 4096), declared));

        await AssertAbsentAsync(store, key);
        Assert.Empty(await ListKeysAsync(store, null));
    }

    [Fact]
    public async Task A_stream_longer_than_declared_throws_ContentIntegrityException_and_leaves_nothing()
    {
        var store = await CreateStoreAsync();
        var content = Content(100 * KiB);
        var key = KeyFor(content);
        var declared = Metadata(content) with { Length = content.Length - 1 };

        await Assert.ThrowsAsync<ContentIntegrityException>(() => store.WriteAsync(key, NonSeekableStream.Over(content, maxChunk: 4096), declared));

        await AssertAbsentAsync(store, key);
        Assert.Empty(await ListKeysAsync(store, null));
    }

    [Fact]
    public async Task Concurrent_writes_of_distinct_keys_all_round_trip()
    {
        var store = await CreateStoreAsync();
        var contents = Enumerable.Range(0, 24).Select(i => Content(i * 7 * KiB + 1 + i)).ToArray();

        await Task.WhenAll(contents.Select(content => Task.Run(() => store.WriteAsync(KeyFor(content), NonSeekableStream.Over(content, maxChunk: 8 * KiB), Metadata(content)))));

        foreach (var content in contents)
        {
            Assert.Equal(content, await ReadAllAsync(store, KeyFor(content)));
        }

        Assert.Equal(contents.Select(KeyFor).Order(StringComparer.Ordinal), await ListKeysAsync(store, null));
    }

    [Theory]
    [InlineData("")]
    [InlineData("/sha256/ab/cd/x.1")]
    [InlineData("sha256/../x.1")]
    [InlineData("sha256//x.1")]
    [InlineData("sha256/x.1/")]
    [InlineData("SHA256/ab/x.1")]
    [InlineData("sha256\\ab\\x.1")]
    [InlineData("sha256/ab/x 1")]
    public async Task Malformed_keys_are_rejected_with_ArgumentException(string key)
    {
        var store = await CreateStoreAsync();
        var content = Content(16);

        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.WriteAsync(key, new MemoryStream(content), Metadata(content)));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.OpenReadAsync(key));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.DeleteAsync(key));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.GetPropertiesAsync(key));
    }

    /// <summary>Random bytes: a blob store does not care whether they are an image.</summary>
    protected static byte[] Content(int length) => length >= 16 ? TestImages.UniquePng(length) : RandomNumberGenerator.GetBytes(length);

    /// <summary>A key shaped like the engine's: <c>sha256/ab/cd/&lt;64 hex&gt;.&lt;32 hex&gt;</c>, unique per content.</summary>
    protected static string KeyFor(byte[] content)
    {
        var hex = TestImages.DigestOf(content).Hex;
        var generation = Convert.ToHexStringLower(SHA384.HashData(content))[..32];
        return $"sha256/{hex[..2]}/{hex[2..4]}/{hex}.{generation}";
    }

    protected static BlobMetadata Metadata(byte[] content) => new(TestImages.DigestOf(content), content.Length, "image/png");

    protected static Task WriteAsync(IBlobStore store, string key, byte[] content)
        => store.WriteAsync(key, NonSeekableStream.Over(content, maxChunk: 7001), Metadata(content));

    protected static async Task<byte[]> ReadAllAsync(IBlobStore store, string key, ByteRange? range = null)
    {
        await using var stream = await store.OpenReadAsync(key, range);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    protected static async Task<List<BlobProperties>> ListAsync(IBlobStore store, string? prefix)
    {
        var listed = new List<BlobProperties>();
        await foreach (var blob in store.ListAsync(prefix))
        {
            listed.Add(blob);
        }

        return listed;
    }

    protected static async Task<List<string>> ListKeysAsync(IBlobStore store, string? prefix)
        => (await ListAsync(store, prefix)).Select(b => b.Key).Order(StringComparer.Ordinal).ToList();

    /// <summary>Nothing is readable, listed or described under <paramref name="key"/>.</summary>
    protected static async Task AssertAbsentAsync(IBlobStore store, string key)
    {
        Assert.Null(await store.GetPropertiesAsync(key));
        await Assert.ThrowsAsync<BlobNotFoundException>(() => store.OpenReadAsync(key));
        Assert.DoesNotContain(key, await ListKeysAsync(store, null));
    }

    private static IEnumerable<Exception> Chain(Exception error)
    {
        for (Exception? current = error; current is not null; current = current.InnerException)
        {
            yield return current;
        }
    }
}
