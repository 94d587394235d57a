using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using ImageDedup.Storage;

namespace ImageDedup.Scale;

/// <summary>
/// A blob store that stores no bytes and counts every call, as an S3 bill would: the benchmark
/// measures the catalogue, and how many blob-store requests each operation costs. Every key exists
/// unless it was deleted (the bulk-populated rows have no bytes behind them); writes are drained.
/// </summary>
internal sealed class CountingBlobStore : IBlobStore
{
    private readonly ConcurrentDictionary<string, long> _deleted = new(StringComparer.Ordinal);
    private long _requests;

    /// <summary>Blob-store requests so far: one per call, one per listing page of 1,000 keys.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    public async Task WriteAsync(string key, Stream content, BlobMetadata metadata, CancellationToken cancellationToken = default)
    {
        Count();
        await content.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
        _deleted.TryRemove(key, out _);
    }

    public Task<Stream> OpenReadAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        Count();
        return Task.FromResult<Stream>(new MemoryStream([]));
    }

    public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        Count();
        return Task.FromResult(_deleted.TryAdd(key, 0));
    }

    public Task<BlobProperties?> GetPropertiesAsync(string key, CancellationToken cancellationToken = default)
    {
        Count();
        return Task.FromResult(_deleted.ContainsKey(key) ? null : new BlobProperties(key, 0, DateTimeOffset.UnixEpoch));
    }

    public async IAsyncEnumerable<BlobProperties> ListAsync(string? prefix = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Count();
        await Task.CompletedTask.ConfigureAwait(false);
        yield break;
    }

    public Task ClaimOwnershipAsync(Guid catalogueId, CancellationToken cancellationToken = default)
    {
        Count();
        return Task.CompletedTask;
    }

    /// <summary>One listing of the in-flight writes (S3: ListMultipartUploads), whatever is stored.</summary>
    public Task<int> DeleteIncompleteWritesAsync(TimeSpan olderThan, CancellationToken cancellationToken = default)
    {
        Count();
        return Task.FromResult(0);
    }

    private void Count() => Interlocked.Increment(ref _requests);
}
