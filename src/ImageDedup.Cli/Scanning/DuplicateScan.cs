using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using ImageDedup.Cli.Output;
using ImageDedup.Cli.Walking;

namespace ImageDedup.Cli.Scanning;

/// <summary>
/// Finds files with the same bytes without a store, the way fdupes and jdupes do: files are
/// grouped by size, and only files whose size collides are read — first their leading block, then
/// their trailing block, and only files whose size and both blocks collide are hashed whole (SHA-256).
/// </summary>
internal static class DuplicateScan
{
    private const int Block = 4096;
    private const int ReadBuffer = 1 << 20;

    public static ScanDocument Run(IReadOnlyList<string> arguments, int jobs, Action<string> phase, CancellationToken cancellationToken)
    {
        var walk = FileWalk.Run(arguments, cancellationToken);
        phase("walk");
        var problems = new ConcurrentQueue<FileProblem>(walk.Problems.Select(p => new FileProblem(p.Path, ProblemKinds.Unlistable, p.Reason)));
        var sameSize = walk.Files.Where(f => f.Length > 0).GroupBy(f => f.Length).Where(g => g.Count() > 1).SelectMany(g => g).ToList();

        long bytesHashed = 0;
        var filesHashed = 0;
        Dictionary<WalkedFile, string> HashAll(IEnumerable<WalkedFile> files, Func<WalkedFile, (long Offset, long Count)> range)
        {
            // Blocking reads on a few threads: a 4 KiB read from the page cache is far cheaper than
            // the state machine an asynchronous one needs.
            var digests = new ConcurrentDictionary<WalkedFile, string>();
            Parallel.ForEach(files, new ParallelOptions { MaxDegreeOfParallelism = jobs, CancellationToken = cancellationToken }, file =>
            {
                try
                {
                    var (offset, count) = range(file);
                    digests[file] = Hash(file.CanonicalPath, offset, count);
                    Interlocked.Add(ref bytesHashed, count);
                    Interlocked.Increment(ref filesHashed);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    problems.Enqueue(new FileProblem(file.Path, ProblemKinds.Unreadable, ex.Message));
                }
            });
            return new Dictionary<WalkedFile, string>(digests);
        }

        // Leading blocks first: same-size files that differ early are never read to their end.
        var leading = HashAll(sameSize, f => (0, Math.Min(f.Length, Block)));
        phase("leading blocks");
        var candidates = Colliding(leading, f => (f.Length, leading[f]));

        // Then trailing blocks: many edits (a comment or metadata chunk just before an image's
        // end) leave the start alone.
        var trailing = HashAll(candidates.Where(f => f.Length > 2 * Block), f => (f.Length - Block, Block));
        phase("trailing blocks");
        var whole = HashAll(
            Colliding(trailing, f => (f.Length, leading[f], trailing[f])).Concat(candidates.Where(f => f.Length > Block && f.Length <= 2 * Block)),
            f => (0, f.Length));
        phase("whole files");
        foreach (var file in candidates.Where(f => f.Length <= Block))
        {
            whole[file] = leading[file]; // the leading block is the whole file
        }

        var groups = whole
            .GroupBy(pair => (pair.Key.Length, Digest: pair.Value))
            .Where(g => g.Count() > 1)
            .Select(g => new ScanGroup("sha256:" + g.Key.Digest, g.Key.Length, g.Key.Length * (g.Count() - 1), [.. g.Select(p => p.Key.Path).Order(StringComparer.Ordinal)]))
            .OrderByDescending(g => g.BytesReclaimable)
            .ThenBy(g => g.Digest, StringComparer.Ordinal)
            .ToList();

        return new ScanDocument(
            walk.Files.Count,
            walk.TotalBytes,
            filesHashed,
            bytesHashed,
            groups.Sum(g => g.Files.Count - 1),
            groups.Sum(g => g.BytesReclaimable),
            groups,
            [.. problems]);
    }

    private static List<WalkedFile> Colliding<TKey>(Dictionary<WalkedFile, string> hashed, Func<WalkedFile, TKey> key)
        where TKey : notnull
        => [.. hashed.Keys.GroupBy(key).Where(g => g.Count() > 1).SelectMany(g => g)];

    private static string Hash(string path, long start, long count)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan);
        if (count <= Block)
        {
            // One read and a one-shot hash: no hash object, no pooled buffer for the common case.
            Span<byte> block = stackalloc byte[Block];
            var read = RandomAccess.Read(handle, block[..(int)count], start);
            return Convert.ToHexStringLower(SHA256.HashData(block[..read]));
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(count, ReadBuffer));
        try
        {
            long done = 0;
            while (done < count)
            {
                var read = RandomAccess.Read(handle, buffer.AsSpan(0, (int)Math.Min(count - done, buffer.Length)), start + done);
                if (read == 0)
                {
                    break;
                }

                hash.AppendData(buffer, 0, read);
                done += read;
            }

            return Convert.ToHexStringLower(hash.GetHashAndReset());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
