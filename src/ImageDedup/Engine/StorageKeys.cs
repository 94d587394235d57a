namespace ImageDedup.Engine;

/// <summary>
/// Blob keys: <c>sha256/ab/cd/&lt;hex&gt;.&lt;original id&gt;</c>. The original's own identifier is
/// the generation, so a key is never reused — not even after the row that named it is deleted,
/// which a per-digest counter could not promise — and a late blob delete can never remove bytes a
/// newer original needs. The two-level shard keeps directories and S3 prefixes small.
/// </summary>
internal static class StorageKeys
{
    public static string For(ContentDigest digest, Guid originalId)
    {
        var hex = digest.Hex;
        return $"{digest.Algorithm}/{hex[..2]}/{hex[2..4]}/{hex}.{originalId:N}";
    }
}
