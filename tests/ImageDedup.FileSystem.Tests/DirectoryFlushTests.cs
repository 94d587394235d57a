namespace ImageDedup.FileSystem.Tests;

/// <summary>The libc binding that makes renames and deletes durable actually reaches fsync.</summary>
public sealed class DirectoryFlushTests : IDisposable
{
    private readonly TempRoot _temp = new();

    [Fact]
    public void Flushing_an_existing_directory_succeeds() => DirectoryFlush.Flush(_temp.Path);

    [Fact]
    public void Flushing_a_missing_directory_reports_the_errno()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // A no-op there: NTFS journals directory changes.
        }

        var error = Assert.Throws<IOException>(() => DirectoryFlush.Flush(_temp.Combine("missing")));
        Assert.Contains("errno 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_dangling_link_is_refused_by_the_path_check_itself()
    {
        var root = _temp.Combine("root");
        Directory.CreateDirectory(root);
        Directory.CreateSymbolicLink(Path.Join(root, "sha256"), _temp.Combine("nowhere"));
        var paths = new BlobPaths(root);

        var error = Assert.Throws<IOException>(() => paths.Resolve("sha256/ab/x.1"));
        Assert.Contains("symbolic link", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _temp.Dispose();
}
