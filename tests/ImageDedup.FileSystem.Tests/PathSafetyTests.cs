using ImageDedup.Storage;
using ImageDedup.Testing.Content;

namespace ImageDedup.FileSystem.Tests;

/// <summary>No key, however crafted, reads, writes, lists or deletes anything outside the root.</summary>
public sealed class PathSafetyTests : IDisposable
{
    private readonly TempRoot _temp = new();
    private readonly string _root;
    private readonly string _outside;
    private readonly FileSystemBlobStore _store;

    public PathSafetyTests()
    {
        _root = _temp.Combine("root");
        _outside = _temp.Combine("outside");
        Directory.CreateDirectory(_root);
        Directory.CreateDirectory(_outside);
        _store = Stores.Create(_root);
    }

    public static TheoryData<string> EscapeAttempts() => new()
    {
        "..",
        ".",
        "../outside/x.1",
        "sha256/../../outside/x.1",
        "sha256/ab/../../../outside/x.1",
        "sha256/./x.1",
        "./x.1",
        "/etc/passwd",
        "//etc/passwd",
        "/tmp/x.1",
        "sha256/..",
        "sha256/ab/cd/..",
        "..\\outside\\x.1",
        "sha256\\..\\..\\outside\\x.1",
        "c:/windows/x.1",
        "~/x.1",
        "sha256/%2e%2e/%2e%2e/outside/x.1",
        "sha256/..%2f..%2foutside/x.1",
        "sha256/%252e%252e/x.1",
        "sha256/\u2024\u2024/x.1", // one-dot leaders that some layers fold to '..'
        "sha256/\uff0e\uff0e/x.1", // full-width full stops
        "sha256\uff0f..\uff0fx.1", // full-width solidus
        "sha256/\0/x.1",
        "sha256/ab/x.1\0.txt",
        "sha256/ab/x.1\n",
        " ../x.1",
        "sha256/ab/ ..",
        ".staging/x.tmp",
        ".staging",
        "",
        new string('a', BlobPaths.MaxKeyLength + 1),
    };

    [Theory]
    [MemberData(nameof(EscapeAttempts))]
    public async Task Every_operation_rejects_the_key(string key)
    {
        var content = TestImages.UniquePng(64);
        var metadata = new BlobMetadata(TestImages.DigestOf(content), content.Length, "image/png");

        await Assert.ThrowsAnyAsync<ArgumentException>(() => _store.WriteAsync(key, new MemoryStream(content), metadata));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => _store.OpenReadAsync(key));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => _store.OpenReadAsync(key, new ByteRange(0, 1)));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => _store.DeleteAsync(key));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => _store.GetPropertiesAsync(key));

        Assert.Empty(await ListAsync(key));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_outside, "*", SearchOption.AllDirectories));
        Assert.Equal(new[] { _root, _outside }.Order(StringComparer.Ordinal), Directory.EnumerateFileSystemEntries(_temp.Path).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_prefix_that_climbs_out_lists_nothing_from_outside()
    {
        await File.WriteAllBytesAsync(Path.Join(_outside, "secret.1"), [1, 2, 3]);

        Assert.Empty(await ListAsync("../outside/"));
        Assert.Empty(await ListAsync("sha256/../../outside/"));
        Assert.Empty(await ListAsync("/"));
        Assert.Empty(await ListAsync(_outside + "/"));
    }

    [Fact]
    public async Task A_symlinked_shard_directory_is_never_followed()
    {
        var shard = Path.Join(_root, "sha256");
        Directory.CreateSymbolicLink(shard, _outside);
        Directory.CreateDirectory(Path.Join(_outside, "ab", "cd"));
        var planted = Path.Join(_outside, "ab", "cd", "planted.1");
        await File.WriteAllBytesAsync(planted, [1, 2, 3]);
        var content = TestImages.UniquePng(1024);
        var metadata = new BlobMetadata(TestImages.DigestOf(content), content.Length, "image/png");

        await Assert.ThrowsAsync<IOException>(() => _store.WriteAsync("sha256/ab/cd/written.1", new MemoryStream(content), metadata));
        await Assert.ThrowsAsync<IOException>(() => _store.WriteAsync("sha256/new/written.1", new MemoryStream(content), metadata));
        await Assert.ThrowsAsync<IOException>(() => _store.OpenReadAsync("sha256/ab/cd/planted.1"));
        await Assert.ThrowsAsync<IOException>(() => _store.GetPropertiesAsync("sha256/ab/cd/planted.1"));
        await Assert.ThrowsAsync<IOException>(() => _store.DeleteAsync("sha256/ab/cd/planted.1"));

        Assert.Empty(await ListAsync(null));
        Assert.Empty(await ListAsync("sha256/"));
        Assert.True(File.Exists(planted));
        Assert.Equal([planted], Directory.EnumerateFiles(_outside, "*", SearchOption.AllDirectories));
        Assert.False(Directory.Exists(_store.StagingPath) && Directory.EnumerateFileSystemEntries(_store.StagingPath).Any());
    }

    [Fact]
    public async Task A_symlinked_blob_file_is_never_followed()
    {
        var secret = Path.Join(_outside, "secret");
        await File.WriteAllBytesAsync(secret, [42]);
        Directory.CreateDirectory(Path.Join(_root, "sha256", "ab"));
        File.CreateSymbolicLink(Path.Join(_root, "sha256", "ab", "link.1"), secret);

        await Assert.ThrowsAsync<IOException>(() => _store.OpenReadAsync("sha256/ab/link.1"));
        await Assert.ThrowsAsync<IOException>(() => _store.GetPropertiesAsync("sha256/ab/link.1"));
        Assert.Empty(await ListAsync(null));
        Assert.True(File.Exists(secret));
    }

    [Fact]
    public async Task A_dangling_symlink_on_the_way_is_refused()
    {
        Directory.CreateSymbolicLink(Path.Join(_root, "sha256"), Path.Join(_outside, "not-yet"));
        var content = TestImages.UniquePng(100);
        var metadata = new BlobMetadata(TestImages.DigestOf(content), content.Length, "image/png");

        await Assert.ThrowsAsync<IOException>(() => _store.WriteAsync("sha256/ab/x.1", new MemoryStream(content), metadata));

        Assert.False(Directory.Exists(Path.Join(_outside, "not-yet")));
    }

    [Fact]
    public async Task A_symlinked_staging_folder_is_refused()
    {
        Directory.CreateSymbolicLink(_store.StagingPath, _outside);
        var content = TestImages.UniquePng(100);
        var metadata = new BlobMetadata(TestImages.DigestOf(content), content.Length, "image/png");

        await Assert.ThrowsAsync<IOException>(() => _store.WriteAsync("sha256/ab/x.1", new MemoryStream(content), metadata));

        Assert.Empty(Directory.EnumerateFileSystemEntries(_outside));
        Assert.Null(await _store.GetPropertiesAsync("sha256/ab/x.1"));
    }

    public void Dispose() => _temp.Dispose();

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
