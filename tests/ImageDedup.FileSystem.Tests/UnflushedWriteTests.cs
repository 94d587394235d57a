using ImageDedup.Storage;
using ImageDedup.Testing.Content;

namespace ImageDedup.FileSystem.Tests;

/// <summary>
/// A batch's writes go straight to their key, without a staging file or a flush each, and one flush
/// makes them durable: one syncfs on Linux, a flush per file and directory elsewhere.
/// </summary>
public sealed class UnflushedWriteTests : IDisposable
{
    private const string Key = "sha256/ab/cd/abcd0000000000000000000000000000000000000000000000000000000000ff.0123456789abcdef0123456789abcdef";
    private readonly TempRoot _temp = new();
    private readonly FileSystemBlobStore _store;

    public UnflushedWriteTests() => _store = Stores.Create(_temp.Combine("blobs"));

    [Fact]
    public async Task A_blob_written_without_flush_lands_at_its_key_and_never_in_staging()
    {
        var content = TestImages.UniquePng(100_000);

        await _store.WriteWithoutFlushAsync(Key, NonSeekableStream.Over(content, 5000), Metadata(content));
        await _store.FlushAsync([Key]);

        var path = Path.Join(_store.RootPath, Key);
        Assert.Equal(content, await File.ReadAllBytesAsync(path));
        Assert.Equal([path], Directory.EnumerateFiles(_store.RootPath, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_failed_write_without_flush_leaves_no_file_at_its_key()
    {
        var content = TestImages.UniquePng(500_000);

        await Assert.ThrowsAsync<IOException>(() => _store.WriteWithoutFlushAsync(Key, new FaultingStream(content, 250_000), Metadata(content)));
        await Assert.ThrowsAsync<ContentIntegrityException>(() => _store.WriteWithoutFlushAsync(Key, new MemoryStream(content), Metadata(content) with { Length = content.Length - 1 }));

        Assert.Empty(Directory.EnumerateFiles(_store.RootPath, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task An_existing_file_at_the_key_is_never_overwritten_by_a_write_without_flush()
    {
        // Keys are never reused, so a file already there is not this write's: it is refused, not replaced.
        var first = TestImages.UniquePng(1_000);
        var second = TestImages.UniquePng(1_000);
        await _store.WriteAsync(Key, new MemoryStream(first), Metadata(first));

        await Assert.ThrowsAsync<IOException>(() => _store.WriteWithoutFlushAsync(Key, new MemoryStream(second), Metadata(second)));

        Assert.Equal(first, await File.ReadAllBytesAsync(Path.Join(_store.RootPath, Key)));
    }

    [Fact]
    public void The_file_system_is_flushed_at_once_on_Linux_and_file_by_file_elsewhere()
    {
        Assert.Equal(OperatingSystem.IsLinux(), FileSystemFlush.TrySyncFileSystem(_temp.Path));
        if (OperatingSystem.IsLinux())
        {
            var error = Assert.Throws<IOException>(() => FileSystemFlush.TrySyncFileSystem(_temp.Combine("missing")));
            Assert.Contains("errno 2", error.Message, StringComparison.Ordinal);
        }

        var file = _temp.Combine("one.bin");
        File.WriteAllBytes(file, [1, 2, 3]);
        FileSystemFlush.FlushFile(file);
        FileSystemFlush.FlushFile(_temp.Combine("deleted-since.bin"));
    }

    public void Dispose() => _temp.Dispose();

    private static BlobMetadata Metadata(byte[] content) => new(TestImages.DigestOf(content), content.Length, "image/png");
}
