using ImageDedup.Storage;

namespace ImageDedup.Testing.Engine;

/// <summary>
/// A real blob store with hooks that run just before a call reaches it, or that replace the
/// stream a read returns: the way a test forces an interleaving (a deletion between two steps of
/// a read, a reconcile in the middle of an ingest) or a store that fails while reading.
/// </summary>
public sealed class InterceptingBlobStore(IBlobStore inner) : IBlobStore
{
    /// <summary>Runs before each write reaches the store, with its key.</summary>
    public Func<string, Task>? BeforeWrite { get; set; }

    /// <summary>Runs before each delete reaches the store, with its key.</summary>
    public Func<string, Task>? BeforeDelete { get; set; }

    /// <summary>Runs before each open reaches the store, with its key.</summary>
    public Func<string, Task>? BeforeOpenRead { get; set; }

    /// <summary>Replaces the stream an open returned (key, stream) with another, or leaves it when null.</summary>
    public Func<string, Stream, Stream>? OnOpenRead { get; set; }

    /// <inheritdoc/>
    public async Task WriteAsync(string key, Stream content, BlobMetadata metadata, CancellationToken cancellationToken = default)
    {
        if (BeforeWrite is { } hook)
        {
            await hook(key);
        }

        await inner.WriteAsync(key, content, metadata, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task WriteWithoutFlushAsync(string key, Stream content, BlobMetadata metadata, CancellationToken cancellationToken = default)
    {
        if (BeforeWrite is { } hook)
        {
            await hook(key);
        }

        await inner.WriteWithoutFlushAsync(key, content, metadata, cancellationToken);
    }

    /// <inheritdoc/>
    public Task FlushAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default) => inner.FlushAsync(keys, cancellationToken);

    /// <inheritdoc/>
    public async Task<Stream> OpenReadAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        if (BeforeOpenRead is { } hook)
        {
            await hook(key);
        }

        var stream = await inner.OpenReadAsync(key, range, cancellationToken);
        return OnOpenRead is { } replace ? replace(key, stream) : stream;
    }

    /// <inheritdoc/>
    public async Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        if (BeforeDelete is { } hook)
        {
            await hook(key);
        }

        return await inner.DeleteAsync(key, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<BlobProperties?> GetPropertiesAsync(string key, CancellationToken cancellationToken = default) => inner.GetPropertiesAsync(key, cancellationToken);

    /// <inheritdoc/>
    public IAsyncEnumerable<BlobProperties> ListAsync(string? prefix = null, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);

    /// <inheritdoc/>
    public Task ClaimOwnershipAsync(Guid catalogueId, CancellationToken cancellationToken = default) => inner.ClaimOwnershipAsync(catalogueId, cancellationToken);

    /// <inheritdoc/>
    public Task<int> DeleteIncompleteWritesAsync(TimeSpan olderThan, CancellationToken cancellationToken = default) => inner.DeleteIncompleteWritesAsync(olderThan, cancellationToken);
}
