namespace ImageDedup.Storage;

/// <summary>Computes content digests, incrementally or over a whole stream.</summary>
public interface IContentHasher
{
    /// <summary>The algorithm name that prefixes the digests, for example <c>sha256</c>.</summary>
    string Algorithm { get; }

    /// <summary>Starts an incremental hash; append data in order, then finish it.</summary>
    IContentHash CreateHash();

    /// <summary>Reads <paramref name="content"/> to its end and returns its digest.</summary>
    /// <param name="content">The stream to hash, read from its current position; need not be seekable.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    ValueTask<ContentDigest> HashAsync(Stream content, CancellationToken cancellationToken = default);
}

/// <summary>An incremental hash over data appended in order.</summary>
public interface IContentHash : IDisposable
{
    /// <summary>Appends the next bytes.</summary>
    void Append(ReadOnlySpan<byte> data);

    /// <summary>Returns the digest of all bytes appended so far and resets the hash.</summary>
    ContentDigest Finish();
}
