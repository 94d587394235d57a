using System.Security.Cryptography;
using ImageDedup.Storage;

namespace ImageDedup.Hashing;

/// <summary>An incremental SHA-256 over <see cref="IncrementalHash"/>.</summary>
internal sealed class Sha256ContentHash : IContentHash
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public void Append(ReadOnlySpan<byte> data) => _hash.AppendData(data);

    public ContentDigest Finish()
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        _hash.GetHashAndReset(digest);
        return ContentDigest.FromSha256(digest);
    }

    public void Dispose() => _hash.Dispose();
}
