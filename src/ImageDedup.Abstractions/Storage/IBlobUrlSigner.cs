namespace ImageDedup.Storage;

/// <summary>
/// A capability a blob store may offer beside <see cref="IBlobStore"/>: time-limited URLs that let
/// a client download a blob straight from the store, without the bytes passing through the host.
/// </summary>
/// <remarks>
/// Hosts never call this: they ask <see cref="IImageDedupScope.GetReadUrlAsync"/>, which checks that
/// the original is live in the caller's scope before it signs. A URL stays valid for its whole
/// lifetime even if the original is deleted meanwhile (the download then fails), so keep lifetimes short.
/// </remarks>
public interface IBlobUrlSigner
{
    /// <summary>Creates a URL that a plain <c>GET</c> with no extra headers downloads the blob with.</summary>
    /// <param name="key">The blob key.</param>
    /// <param name="lifetime">How long the URL is valid; null for the store's configured default.</param>
    /// <param name="cancellationToken">Cancels the signing (which may have to fetch credentials).</param>
    /// <returns>The URL and the moment it stops working.</returns>
    /// <exception cref="ArgumentException">The key is malformed.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The lifetime is not positive, or longer than the store allows.</exception>
    Task<SignedReadUrl> GetReadUrlAsync(string key, TimeSpan? lifetime = null, CancellationToken cancellationToken = default);
}
