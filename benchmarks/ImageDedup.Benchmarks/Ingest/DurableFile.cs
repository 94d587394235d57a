using ImageDedup.FileSystem;

namespace ImageDedup.Benchmarks.Ingest;

/// <summary>
/// The baseline's write: exactly the durability the file-system blob store pays — a temp file
/// in a staging folder (same FileStream options, same 80 KiB copy buffer), fsync of the file,
/// rename into place, fsync of the target directory — without the store's key checks or
/// the engine's second hash.
/// </summary>
internal static class DurableFile
{
    private const int CopyBufferSize = 80 * 1024;

    public static async Task WriteAsync(Stream content, long length, string stagingDirectory, string target)
    {
        var temp = Path.Combine(stagingDirectory, $"{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            Options = FileOptions.Asynchronous,
            BufferSize = 0,
            PreallocationSize = length,
        };

        var file = new FileStream(temp, options);
        await using (file)
        {
            await content.CopyToAsync(file, CopyBufferSize);
            file.Flush(flushToDisk: true);
        }

        File.Move(temp, target, overwrite: true);
        DirectoryFlush.Flush(Path.GetDirectoryName(target)!);
    }
}
