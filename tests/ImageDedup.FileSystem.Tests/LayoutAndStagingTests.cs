using ImageDedup.Storage;
using ImageDedup.Testing.Content;

namespace ImageDedup.FileSystem.Tests;

/// <summary>Where blobs land on disk, and that the staging folder holds nothing once a write is over.</summary>
public sealed class LayoutAndStagingTests : IDisposable
{
    private const string Key = "sha256/ab/cd/abcd0000000000000000000000000000000000000000000000000000000000ff.0123456789abcdef0123456789abcdef";
    private readonly TempRoot _temp = new();
    private readonly FileSystemBlobStore _store;

    public LayoutAndStagingTests() => _store = Stores.Create(_temp.Combine("blobs"));

    [Fact]
    public async Task The_blob_lands_at_root_slash_key_with_the_exact_bytes()
    {
        var content = TestImages.UniquePng(100_000);

        await _store.WriteAsync(Key, NonSeekableStream.Over(content, 5000), Metadata(content));

        var expectedPath = Path.Join(_temp.Path, "blobs", "sha256", "ab", "cd", Key.Split('/')[^1]);
        Assert.Equal(expectedPath, Path.Join(_store.RootPath, Key));
        Assert.Equal(content, await File.ReadAllBytesAsync(expectedPath));
        Assert.Equal([expectedPath], Directory.EnumerateFiles(_store.RootPath, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Staging_is_empty_after_a_successful_write()
    {
        var content = TestImages.UniquePng(10_000);

        await _store.WriteAsync(Key, new MemoryStream(content), Metadata(content));

        AssertStagingEmpty();
    }

    [Fact]
    public async Task Staging_is_empty_after_a_stream_fault()
    {
        var content = TestImages.UniquePng(500_000);

        await Assert.ThrowsAsync<IOException>(() => _store.WriteAsync(Key, new FaultingStream(content, 250_000), Metadata(content)));

        AssertStagingEmpty();
        Assert.False(File.Exists(Path.Join(_store.RootPath, Key)));
    }

    [Fact]
    public async Task Staging_is_empty_after_a_short_stream()
    {
        var content = TestImages.UniquePng(10_000);

        await Assert.ThrowsAsync<ContentIntegrityException>(() => _store.WriteAsync(Key, new MemoryStream(content), Metadata(content) with { Length = 20_000 }));

        AssertStagingEmpty();
    }

    [Fact]
    public async Task Staging_is_empty_after_cancellation()
    {
        var content = TestImages.UniquePng(1_000_000);
        using var cancellation = new CancellationTokenSource();
        var stream = NonSeekableStream.Over(content, 10_000, position =>
        {
            if (position > 300_000)
            {
                cancellation.Cancel();
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _store.WriteAsync(Key, stream, Metadata(content), cancellation.Token));

        AssertStagingEmpty();
    }

    [Fact]
    public async Task Leftover_staging_files_are_never_listed_as_blobs()
    {
        Directory.CreateDirectory(_store.StagingPath);
        await File.WriteAllBytesAsync(Path.Join(_store.StagingPath, "0123.tmp"), [1, 2, 3]);
        await File.WriteAllBytesAsync(Path.Join(_store.RootPath, "NOT-A-KEY.TXT"), [1]);

        Assert.Empty(await ListAsync(null));
        Assert.Empty(await ListAsync(".staging/"));
        Assert.Empty(await ListAsync(".st"));
    }

    [Fact]
    public async Task Old_staging_files_can_be_listed_and_swept_while_fresh_ones_stay()
    {
        var time = new ManualTime(DateTimeOffset.UtcNow);
        var store = Stores.Create(_store.RootPath, time: time);
        Directory.CreateDirectory(store.StagingPath);
        var old = Path.Join(store.StagingPath, "old.tmp");
        var fresh = Path.Join(store.StagingPath, "fresh.tmp");
        await File.WriteAllBytesAsync(old, new byte[7]);
        await File.WriteAllBytesAsync(fresh, new byte[3]);
        File.SetLastWriteTimeUtc(old, time.GetUtcNow().UtcDateTime.AddHours(-3));

        var listed = Assert.Single(store.ListStagingFiles(TimeSpan.FromHours(1)));
        Assert.Equal(old, listed.Path);
        Assert.Equal(7, listed.Length);

        Assert.Equal(1, await store.DeleteIncompleteWritesAsync(TimeSpan.FromHours(1)));
        Assert.False(File.Exists(old));
        Assert.True(File.Exists(fresh));

        time.Advance(TimeSpan.FromHours(2));
        Assert.Equal(1, await store.DeleteIncompleteWritesAsync(TimeSpan.FromHours(1)));
        Assert.Empty(store.ListStagingFiles(TimeSpan.Zero));
    }

    [Fact]
    public async Task A_directory_under_a_key_is_not_a_blob()
    {
        var content = TestImages.UniquePng(100);
        await _store.WriteAsync(Key, new MemoryStream(content), Metadata(content));

        await Assert.ThrowsAsync<BlobNotFoundException>(() => _store.OpenReadAsync("sha256/ab"));
        Assert.Null(await _store.GetPropertiesAsync("sha256/ab"));
        Assert.False(await _store.DeleteAsync("sha256/ab"));
        Assert.Equal(content, await File.ReadAllBytesAsync(Path.Join(_store.RootPath, Key)));
    }

    [Fact]
    public async Task A_range_stream_reports_the_range_length()
    {
        var content = TestImages.UniquePng(10_000);
        await _store.WriteAsync(Key, new MemoryStream(content), Metadata(content));

        await using var stream = await _store.OpenReadAsync(Key, new ByteRange(9_000, 5_000));

        Assert.Equal(1_000, stream.Length);
    }

    [Fact]
    public async Task Writes_work_without_flushing_to_disk()
    {
        var store = Stores.Create(_temp.Combine("unflushed"), flushToDisk: false);
        var content = TestImages.UniquePng(70_000);

        await store.WriteAsync(Key, new MemoryStream(content), Metadata(content));

        Assert.Equal(content, await File.ReadAllBytesAsync(Path.Join(store.RootPath, Key)));
        Assert.True(await store.DeleteAsync(Key));
    }

    [Fact]
    public void A_relative_root_is_resolved_to_an_absolute_path()
    {
        var store = Stores.Create("relative-blobs");

        Assert.True(Path.IsPathFullyQualified(store.RootPath));
        Assert.Equal(Path.GetFullPath("relative-blobs"), store.RootPath);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("bad\0path")]
    public void The_store_refuses_an_unusable_root(string root)
        => Assert.Throws<ArgumentException>(() => Stores.Create(root));

    public void Dispose() => _temp.Dispose();

    private static BlobMetadata Metadata(byte[] content) => new(TestImages.DigestOf(content), content.Length, "image/png");

    private void AssertStagingEmpty()
        => Assert.Empty(Directory.EnumerateFileSystemEntries(_store.StagingPath));

    private async Task<List<string>> ListAsync(string? prefix)
    {
        var keys = new List<string>();
        await foreach (var blob in _store.ListAsync(prefix))
        {
            keys.Add(blob.Key);
        }

        return keys;
    }
}
