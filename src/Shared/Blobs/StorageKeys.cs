namespace ImageDedup.Shared;

/// <summary>
/// The engine's blob keys, made and recognised in this one place: <c>sha256/ab/cd/&lt;hex&gt;.&lt;original id&gt;</c>
/// (64 lowercase hex digits of the digest, its first two pairs as shards, and the original's
/// identifier as 32 lowercase hex digits). The original's own identifier is the generation, so a
/// key is never reused — not even after the row that named it is deleted, which a per-digest
/// counter could not promise — and a late blob delete can never remove bytes a newer original
/// needs. The two-level shard keeps directories and S3 prefixes small.
/// </summary>
/// <remarks>
/// Linked into the engine and into the blob stores whose sweeps need it. Every sweep (reconcile's
/// row-less blobs, S3's abandoned multipart uploads) touches only keys for which
/// <see cref="IsEngineKey"/> holds, so whatever else lives at the location is never deleted.
/// </remarks>
internal static class StorageKeys
{
    private const int DigestHexLength = 64;
    private const int IdHexLength = 32;

    /// <summary>Every engine key starts with this; listing under it skips most foreign names cheaply.</summary>
    public const string Prefix = "sha256/";

    /// <summary>The length of every engine key.</summary>
    public const int Length = 7 + 3 + 3 + DigestHexLength + 1 + IdHexLength;

    public static string For(ContentDigest digest, Guid originalId)
    {
        var hex = digest.Hex;
        return $"{digest.Algorithm}/{hex[..2]}/{hex[2..4]}/{hex}.{originalId:N}";
    }

    /// <summary>Whether <paramref name="key"/> is exactly in the engine's format, shards matching the digest.</summary>
    public static bool IsEngineKey(ReadOnlySpan<char> key)
    {
        if (key.Length != Length || !key.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = key[Prefix.Length..];
        var digest = rest.Slice(6, DigestHexLength);
        return rest[2] == '/' && rest[5] == '/' && rest[6 + DigestHexLength] == '.'
            && rest[..2].SequenceEqual(digest[..2])
            && rest.Slice(3, 2).SequenceEqual(digest.Slice(2, 2))
            && IsLowerHex(digest)
            && IsLowerHex(rest[(7 + DigestHexLength)..]);
    }

    private static bool IsLowerHex(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }

        return true;
    }
}
