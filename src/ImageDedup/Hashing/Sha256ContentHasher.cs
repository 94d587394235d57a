using System.Security.Cryptography;
using ImageDedup.Storage;

namespace ImageDedup.Hashing;

/// <summary>The default hasher: SHA-256 through the platform's crypto library (OpenSSL on Linux).</summary>
internal sealed class Sha256ContentHasher(int chunkSize = Sha256ContentHasher.DefaultChunkSize) : IContentHasher
{
    /// <summary>1 MiB: large enough that per-read overhead vanishes next to hashing, small enough to pool.</summary>
    public const int DefaultChunkSize = 1 << 20;

    public string Algorithm => ContentDigest.Sha256;

    public IContentHash CreateHash() => new Sha256ContentHash();

    public async ValueTask<ContentDigest> HashAsync(Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);

        if (content.GetType() == typeof(MemoryStream) && ((MemoryStream)content).TryGetBuffer(out var exposed))
        {
            // The bytes are already in memory: hash them where they are. Only a MemoryStream
            // itself: a type derived from it may read differently from what its buffer holds.
            var memory = (MemoryStream)content;
            var start = (int)Math.Min(memory.Position, exposed.Count);
            memory.Position = Math.Max(memory.Position, exposed.Count);
            return ContentDigest.FromSha256(SHA256.HashData(exposed.AsSpan(start)));
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var reader = new ChunkReader(content, chunkSize);
        await using (reader.ConfigureAwait(false))
        {
            while (true)
            {
                var chunk = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                if (chunk.IsEmpty)
                {
                    break;
                }

                hash.AppendData(chunk.Span);
            }
        }

        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        hash.GetHashAndReset(digest);
        return ContentDigest.FromSha256(digest);
    }
}
