namespace ImageDedup;

/// <summary>A time-limited URL that downloads an original's bytes straight from the blob store.</summary>
/// <param name="Url">The URL; a plain <c>GET</c> with no extra headers downloads the bytes.</param>
/// <param name="ExpiresAt">When the URL stops working.</param>
public sealed record SignedReadUrl(Uri Url, DateTimeOffset ExpiresAt);
