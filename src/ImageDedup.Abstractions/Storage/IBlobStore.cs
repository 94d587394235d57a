namespace ImageDedup.Storage;

/// <summary>
/// Stores the bytes of originals under keys the engine chooses. Keys are never reused, so a store
/// needs no locking: a key is written once, read many times and deleted once. The one exception:
/// the engine writes a key again, with the same verified bytes, to restore a blob that was found
/// missing (self-heal), so a write must replace whatever is there atomically.
/// </summary>
public interface IBlobStore
{
    /// <summary>
    /// Writes a blob atomically: after success the whole content is readable under
    /// <paramref name="key"/>; after any failure (the content stream throws, the call is
    /// cancelled, the store fails) nothing is readable there.
    /// </summary>
    /// <param name="key">
    /// The key: at most 1024 characters of lowercase letters, digits and <c>/ . _ -</c>, no empty
    /// segment and no segment starting with '.'; no key is a path-prefix of another.
    /// </param>
    /// <param name="content">
    /// Exactly <see cref="BlobMetadata.Length"/> bytes. The stream may throw when it finds them
    /// corrupt; the store then fails with that exception. The store never disposes it.
    /// </param>
    /// <param name="metadata">The digest, length and content type of the bytes.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <exception cref="ArgumentException"><paramref name="key"/> is malformed.</exception>
    /// <exception cref="ContentIntegrityException">The stream held fewer or more bytes than declared.</exception>
    Task WriteAsync(string key, Stream content, BlobMetadata metadata, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes a blob as <see cref="WriteAsync"/> does — after success the whole content is readable
    /// under <paramref name="key"/>, after a failure that the call reports nothing is — except that
    /// it need not be durable until <see cref="FlushAsync"/> has returned for its key, nor atomic
    /// against a crash: the store may leave the bytes and the name in volatile caches, and write in
    /// place, so that a batch pays one flush instead of one per blob. A crash (of the process or the
    /// machine) before the flush may lose the blob or leave it torn under its key; the engine writes
    /// this way only under new keys of pending rows, which reconcile removes with their blobs. Stores
    /// whose every write is durable when it returns (S3) keep the default, which is <see cref="WriteAsync"/>.
    /// </summary>
    /// <param name="key">The key, as for <see cref="WriteAsync"/>.</param>
    /// <param name="content">Exactly <see cref="BlobMetadata.Length"/> bytes; never disposed by the store.</param>
    /// <param name="metadata">The digest, length and content type of the bytes.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <exception cref="ArgumentException"><paramref name="key"/> is malformed.</exception>
    /// <exception cref="ContentIntegrityException">The stream held fewer or more bytes than declared.</exception>
    Task WriteWithoutFlushAsync(string key, Stream content, BlobMetadata metadata, CancellationToken cancellationToken = default)
        => WriteAsync(key, content, metadata, cancellationToken);

    /// <summary>
    /// Makes the blobs written by <see cref="WriteWithoutFlushAsync"/> under <paramref name="keys"/>
    /// durable, as <see cref="WriteAsync"/> would have left them: after it returns they survive a
    /// power loss. Keys whose blob is gone (deleted since, or never written) are no error. The
    /// default does nothing, for stores whose writes are durable when they return.
    /// </summary>
    /// <param name="keys">The keys written without flush.</param>
    /// <param name="cancellationToken">Cancels the flush; the blobs are then not known to be durable.</param>
    /// <exception cref="IOException">The flush failed: the blobs are not known to be durable.</exception>
    Task FlushAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <summary>Opens a blob, or a byte range of it, for streaming reads.</summary>
    /// <remarks>
    /// A range starting at the blob's length yields no bytes; a range running past the end is cut
    /// at the end.
    /// </remarks>
    /// <exception cref="BlobNotFoundException">No blob exists under <paramref name="key"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The range starts beyond the end, or has a negative offset or length.</exception>
    Task<Stream> OpenReadAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes a blob. Deleting a missing blob is not an error.</summary>
    /// <returns>Whether a blob existed. Stores that cannot tell cheaply may return true.</returns>
    Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Returns the length and write time of a blob, or null when it does not exist.</summary>
    Task<BlobProperties?> GetPropertiesAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Lists the blobs whose keys start with <paramref name="prefix"/>, paging internally, in no
    /// particular order. Writes still in progress are never listed, nor is anything else at the
    /// store's location whose name is not a well-formed key (see <see cref="WriteAsync"/>): a host's
    /// own files or objects with capitals, say, are skipped without failing.
    /// </summary>
    IAsyncEnumerable<BlobProperties> ListAsync(string? prefix = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Binds the store's location (directory, bucket and key prefix) to one catalogue: the first
    /// claim writes an ownership marker naming <paramref name="catalogueId"/> outside the key space;
    /// later claims read it and fail unless it names the same catalogue. Many instances of one
    /// catalogue may claim at once. When two catalogues claim a fresh location at the same moment,
    /// exactly one marker survives and every later claim by the other catalogue fails; a store whose
    /// server cannot create an object only-if-absent documents how it resolves that race.
    /// </summary>
    /// <exception cref="BlobStoreOwnershipException">The location belongs to another catalogue.</exception>
    /// <exception cref="InvalidOperationException">The location cannot be used (missing bucket, no access); the message names the cause.</exception>
    Task ClaimOwnershipAsync(Guid catalogueId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes what writes abandoned by a crash left behind (temp files, incomplete multipart
    /// uploads) that are older than <paramref name="olderThan"/>. Stores whose writes leave
    /// nothing behind keep the default, which does nothing.
    /// </summary>
    /// <returns>How many abandoned writes were removed.</returns>
    Task<int> DeleteIncompleteWritesAsync(TimeSpan olderThan, CancellationToken cancellationToken = default) => Task.FromResult(0);
}

/// <summary>What the engine knows about bytes it hands to a blob store.</summary>
/// <param name="Digest">The digest of the bytes.</param>
/// <param name="Length">The number of bytes.</param>
/// <param name="ContentType">The content type, stored with the blob where the store can; reads never depend on it.</param>
public sealed record BlobMetadata(ContentDigest Digest, long Length, string ContentType);

/// <summary>What a blob store reports about one blob. <see cref="LastModified"/> comes from the store's clock, which may be skewed against the database's.</summary>
/// <param name="Key">The blob key.</param>
/// <param name="Length">The stored length.</param>
/// <param name="LastModified">When the blob was written (the store's clock).</param>
public sealed record BlobProperties(string Key, long Length, DateTimeOffset LastModified);
