namespace ImageDedup.S3;

/// <summary>
/// Hands out time-limited URLs that let a client download an original's bytes straight from the
/// bucket, without the bytes passing through the host. Registered by <c>UseS3()</c>.
/// </summary>
/// <remarks>
/// The key is an original's <c>StorageKey</c>. A URL stays valid for its whole lifetime even if the
/// original is released and deleted in the meantime (the download then fails with 404), so keep
/// lifetimes short, and check the original first: signing does not look at the bucket.
/// </remarks>
public interface IBlobUrlSigner
{
    /// <summary>Creates a presigned <c>GET</c> URL for the blob under <paramref name="key"/>.</summary>
    /// <param name="key">The blob key, an original's <c>StorageKey</c>.</param>
    /// <param name="lifetime">How long the URL is valid; null for <see cref="S3BlobStoreOptions.PresignedUrlLifetime"/>. At most 7 days.</param>
    /// <param name="cancellationToken">Cancels the signing (which may have to fetch credentials).</param>
    /// <returns>The URL and the moment it stops working.</returns>
    /// <exception cref="ArgumentException">The key is malformed.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The lifetime is not positive or longer than 7 days.</exception>
    Task<SignedBlobUrl> GetReadUrlAsync(string key, TimeSpan? lifetime = null, CancellationToken cancellationToken = default);
}

/// <summary>A presigned URL and when it expires.</summary>
/// <param name="Url">The URL; a plain <c>GET</c> with no extra headers downloads the bytes.</param>
/// <param name="ExpiresAt">When the URL stops working.</param>
public sealed record SignedBlobUrl(Uri Url, DateTimeOffset ExpiresAt);
