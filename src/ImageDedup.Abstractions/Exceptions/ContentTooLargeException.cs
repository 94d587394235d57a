namespace ImageDedup;

/// <summary>The content exceeded the configured size limit. Reading stopped there; nothing was stored.</summary>
public sealed class ContentTooLargeException : ImageDedupException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="limit">The limit in bytes that was exceeded.</param>
    public ContentTooLargeException(long limit)
        : base($"The content is larger than the limit of {limit} bytes.")
        => Limit = limit;

    /// <summary>The limit in bytes that was exceeded.</summary>
    public long Limit { get; }
}
