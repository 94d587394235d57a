using System.Runtime.CompilerServices;
using ImageDedup.Storage;

namespace ImageDedup.Engine;

/// <summary>
/// The engine's view of its blob store: every call first makes sure the store's location is this
/// catalogue's (<see cref="CatalogueOwnership.EnsureAsync"/>, a completed task after the first
/// success), so no path of the engine — ingest, read, delete, sweep — can reach a location that
/// belongs to another catalogue. It mirrors <see cref="IBlobStore"/> without implementing it: it is
/// no store of its own, only the engine's way into one.
/// </summary>
internal sealed class OwnedBlobStore(IBlobStore inner, CatalogueOwnership ownership)
{
    public async Task WriteAsync(string key, Stream content, BlobMetadata metadata, CancellationToken cancellationToken = default)
    {
        await ownership.EnsureAsync(cancellationToken).ConfigureAwait(false);
        await inner.WriteAsync(key, content, metadata, cancellationToken).ConfigureAwait(false);
    }

    public async Task WriteWithoutFlushAsync(string key, Stream content, BlobMetadata metadata, CancellationToken cancellationToken = default)
    {
        await ownership.EnsureAsync(cancellationToken).ConfigureAwait(false);
        await inner.WriteWithoutFlushAsync(key, content, metadata, cancellationToken).ConfigureAwait(false);
    }

    public async Task FlushAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
    {
        await ownership.EnsureAsync(cancellationToken).ConfigureAwait(false);
        await inner.FlushAsync(keys, cancellationToken).ConfigureAwait(false);
    }

    public async Task<Stream> OpenReadAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        await ownership.EnsureAsync(cancellationToken).ConfigureAwait(false);
        return await inner.OpenReadAsync(key, range, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        await ownership.EnsureAsync(cancellationToken).ConfigureAwait(false);
        return await inner.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
    }

    public async Task<BlobProperties?> GetPropertiesAsync(string key, CancellationToken cancellationToken = default)
    {
        await ownership.EnsureAsync(cancellationToken).ConfigureAwait(false);
        return await inner.GetPropertiesAsync(key, cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<BlobProperties> ListAsync(string? prefix = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await ownership.EnsureAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var blob in inner.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            yield return blob;
        }
    }

    public async Task<int> DeleteIncompleteWritesAsync(TimeSpan olderThan, CancellationToken cancellationToken = default)
    {
        await ownership.EnsureAsync(cancellationToken).ConfigureAwait(false);
        return await inner.DeleteIncompleteWritesAsync(olderThan, cancellationToken).ConfigureAwait(false);
    }
}
