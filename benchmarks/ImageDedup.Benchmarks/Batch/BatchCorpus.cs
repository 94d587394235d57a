using ImageDedup.Benchmarks.Content;
using ImageDedup.FileSystem;

namespace ImageDedup.Benchmarks.Batch;

/// <summary>
/// A folder of <c>count</c> image files of one size, each unique (its index and a generation stamped
/// into it), as a host's back-fill or the tool's ingest finds them: files in the page cache, opened
/// in the timed part.
/// </summary>
public sealed class BatchCorpus
{
    private readonly byte[][] _contents;

    public BatchCorpus(ScratchDirectory scratch, int count, int size)
    {
        Directory = System.IO.Directory.CreateDirectory(scratch.File("corpus")).FullName;
        _contents = new byte[count][];
        Paths = new string[count];
        for (var i = 0; i < count; i++)
        {
            _contents[i] = ImageBytes.Create(size, seed: i);
            Paths[i] = Path.Combine(Directory, $"{i:D5}.png");
        }

        Stamp(0);
    }

    public string Directory { get; }

    public string[] Paths { get; }

    /// <summary>The holder of file <paramref name="index"/>.</summary>
    public static string Holder(int index) => $"bench/batch/{index}";

    /// <summary>Makes every file new bytes for <paramref name="generation"/>, writes them, and returns their digests.</summary>
    public ContentDigest[] Stamp(long generation)
    {
        var digests = new ContentDigest[_contents.Length];
        for (var i = 0; i < _contents.Length; i++)
        {
            ImageBytes.Stamp(_contents[i], (generation << 20) | (long)i);
            File.WriteAllBytes(Paths[i], _contents[i]);
            digests[i] = ContentDigest.FromSha256(System.Security.Cryptography.SHA256.HashData(_contents[i]));
        }

        return digests;
    }

    /// <summary>
    /// Writes back everything dirty on the scratch file system (the stamped files, a deleted store),
    /// so the timed part flushes only its own writes.
    /// </summary>
    public void Settle()
    {
        if (!FileSystemFlush.TrySyncFileSystem(Directory))
        {
            throw new PlatformNotSupportedException("The batch benchmarks need syncfs (Linux): their baseline flushes the file system once.");
        }
    }

    /// <summary>Opens file <paramref name="index"/> as the tool and <c>IngestItem.FromFile</c> open it.</summary>
    public FileStream Open(int index) => new(Paths[index], new FileStreamOptions
    {
        Mode = FileMode.Open,
        Access = FileAccess.Read,
        Share = FileShare.ReadWrite | FileShare.Delete,
        BufferSize = 0,
        Options = FileOptions.SequentialScan,
    });
}
