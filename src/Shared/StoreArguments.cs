namespace ImageDedup.Shared;

/// <summary>Argument checks every reference store makes; linked into each provider like <see cref="ListCursor"/>.</summary>
internal static class StoreArguments
{
    /// <summary>Rejects the default (empty) digest.</summary>
    public static void RequireDigest(ContentDigest digest)
    {
        if (digest.IsEmpty)
        {
            throw new ArgumentException("The digest is empty.", nameof(digest));
        }
    }
}
