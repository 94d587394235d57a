using System.Runtime.CompilerServices;
using Amazon.S3;
using Amazon.S3.Model;
using ImageDedup.Storage;
using Microsoft.Extensions.Logging;
using S3ByteRange = Amazon.S3.Model.ByteRange;

namespace ImageDedup.S3;

/// <summary>
/// Stores each blob as one object, <c>KeyPrefix + key</c>, in one bucket. Uploads up to the
/// multipart threshold are one <c>PutObject</c>; larger ones a multipart upload that is aborted on
/// any failure. Either way an object appears only complete, or not at all. Transient failures are
/// retried by the SDK (see <see cref="S3BlobStoreOptions.RetryMode"/>). The object
/// <c>KeyPrefix + .imagededup/owner</c> names the catalogue the prefix belongs to; listings skip it
/// and every other object whose name is not a well-formed key.
/// </summary>
internal sealed class S3BlobStore : IBlobStore, IBlobUrlSigner
{
    private const int ListingPageSize = 1000;

    private readonly IAmazonS3 _client;
    private readonly string _bucket;
    private readonly S3BlobKeys _keys;
    private readonly S3UploadSettings _upload;
    private readonly SingleRequestUpload _single;
    private readonly MultipartUpload _multipart;
    private readonly ILogger _logger;
    private readonly S3BlobUrlSigner _signer;
    private readonly S3Ownership _ownership;
    private readonly AbandonedUploads _abandoned;

    /// <summary>Creates a store over <paramref name="client"/>; the caller owns the client.</summary>
    /// <exception cref="ArgumentException">The options are unusable.</exception>
    internal S3BlobStore(IAmazonS3 client, S3BlobStoreOptions options, ILogger<S3BlobStore> logger, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        if (S3BlobStoreOptionsValidator.Check(options) is [var problem, ..])
        {
            throw new ArgumentException(problem, nameof(options));
        }

        _client = client;
        _bucket = options.BucketName;
        _keys = new S3BlobKeys(options.KeyPrefix);
        _logger = logger;
        _upload = new S3UploadSettings(options.BucketName, options.MultipartThreshold, options.PartSize, options.UseChunkEncoding);
        var cleanup = new FailedWriteCleanup(client, options.BucketName, logger);
        _single = new SingleRequestUpload(client, _upload, cleanup, logger);
        _multipart = new MultipartUpload(client, _upload, cleanup, logger);
        _signer = new S3BlobUrlSigner(client, options, logger, timeProvider);
        _ownership = new S3Ownership(client, options.BucketName, _keys, options.UseChunkEncoding, logger);
        _abandoned = new AbandonedUploads(client, options.BucketName, _keys, timeProvider ?? TimeProvider.System, logger);
    }

    /// <inheritdoc/>
    public Task<SignedReadUrl> GetReadUrlAsync(string key, TimeSpan? lifetime = null, CancellationToken cancellationToken = default)
        => _signer.GetReadUrlAsync(key, lifetime, cancellationToken);

    /// <summary>The bucket.</summary>
    internal string BucketName => _bucket;

    /// <summary>The normalized key prefix: empty or ending with <c>/</c>.</summary>
    internal string KeyPrefix => _keys.Prefix;

    /// <summary>The object key a blob key is stored under.</summary>
    internal string ObjectKeyOf(string key) => _keys.ObjectKey(key);

    /// <inheritdoc/>
    public Task WriteAsync(string key, Stream content, BlobMetadata metadata, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentOutOfRangeException.ThrowIfNegative(metadata.Length, nameof(metadata));
        var objectKey = _keys.ObjectKey(key);
        cancellationToken.ThrowIfCancellationRequested();
        return metadata.Length <= _upload.MultipartThreshold
            ? _single.UploadAsync(key, objectKey, content, metadata, cancellationToken)
            : _multipart.UploadAsync(key, objectKey, content, metadata, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<Stream> OpenReadAsync(string key, ImageDedup.ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        var objectKey = _keys.ObjectKey(key);
        if (range is { } r)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(r.Offset, nameof(range));
            if (r.Length is { } requested)
            {
                ArgumentOutOfRangeException.ThrowIfNegative(requested, nameof(range));
            }
        }

        if (range is { Length: 0 } empty)
        {
            // HTTP cannot ask for zero bytes; check that the blob exists and the offset fits.
            return await EmptyRangeAsync(key, objectKey, empty.Offset, cancellationToken).ConfigureAwait(false);
        }

        var request = new GetObjectRequest { BucketName = _bucket, Key = objectKey, ByteRange = ToHttpRange(range) };
        GetObjectResponse response;
        try
        {
            response = await _client.GetObjectAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception ex) when (S3Errors.IsNotFound(ex))
        {
            throw new BlobNotFoundException(key, ex);
        }
        catch (AmazonS3Exception ex) when (range is { } slice && S3Errors.IsInvalidRange(ex))
        {
            return await EmptyRangeAsync(key, objectKey, slice.Offset, cancellationToken).ConfigureAwait(false);
        }

        var length = response.ContentLength;
        S3Log.Opened(_logger, key, request.ByteRange?.FormattedByteRange ?? "all", length);
        return new S3ObjectStream(response, key, length);
    }

    /// <inheritdoc/>
    public async Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        var objectKey = _keys.ObjectKey(key);
        // S3 deletes missing keys silently; a HEAD first tells the caller whether the blob existed.
        var existed = await HeadAsync(objectKey, cancellationToken).ConfigureAwait(false) is not null;
        await _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _bucket, Key = objectKey }, cancellationToken).ConfigureAwait(false);
        S3Log.Deleted(_logger, key, existed);
        return existed;
    }

    /// <inheritdoc/>
    public async Task<BlobProperties?> GetPropertiesAsync(string key, CancellationToken cancellationToken = default)
    {
        var head = await HeadAsync(_keys.ObjectKey(key), cancellationToken).ConfigureAwait(false);
        return head is null ? null : new BlobProperties(key, head.ContentLength, S3Times.ToOffset(head.LastModified));
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<BlobProperties> ListAsync(string? prefix = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var request = new ListObjectsV2Request { BucketName = _bucket, Prefix = _keys.ListingPrefix(prefix), MaxKeys = ListingPageSize };
        var page = 0;
        while (true)
        {
            var response = await _client.ListObjectsV2Async(request, cancellationToken).ConfigureAwait(false);
            page++;
            var objects = response.S3Objects ?? [];
            S3Log.Listed(_logger, objects.Count, request.Prefix, page);
            foreach (var listed in objects)
            {
                if (_keys.BlobKey(listed.Key) is { } key && S3BlobKeys.IsValid(key))
                {
                    yield return new BlobProperties(key, listed.Size ?? 0, S3Times.ToOffset(listed.LastModified));
                }
            }

            if (response.IsTruncated != true || string.IsNullOrEmpty(response.NextContinuationToken))
            {
                yield break;
            }

            request.ContinuationToken = response.NextContinuationToken;
        }
    }

    /// <inheritdoc/>
    public Task ClaimOwnershipAsync(Guid catalogueId, CancellationToken cancellationToken = default)
        => _ownership.ClaimAsync(catalogueId, cancellationToken);

    /// <summary>
    /// Aborts the engine's own multipart uploads (under the key prefix, keys in the engine's format)
    /// initiated more than <paramref name="olderThan"/> ago. A server without multipart listing or
    /// abort is logged once and skipped.
    /// </summary>
    /// <returns>How many uploads were aborted.</returns>
    public Task<int> DeleteIncompleteWritesAsync(TimeSpan olderThan, CancellationToken cancellationToken = default)
        => _abandoned.AbortOlderThanAsync(olderThan, cancellationToken);

    private static S3ByteRange? ToHttpRange(ImageDedup.ByteRange? range) => range switch
    {
        null or { Offset: 0, Length: null } => null,
        { Length: null } open => new S3ByteRange($"bytes={open.Offset}-"),
        { } closed => new S3ByteRange(closed.Offset, closed.Offset + closed.Length!.Value - 1),
    };

    private async Task<Stream> EmptyRangeAsync(string key, string objectKey, long offset, CancellationToken cancellationToken)
    {
        var head = await HeadAsync(objectKey, cancellationToken).ConfigureAwait(false) ?? throw new BlobNotFoundException(key);
        if (offset > head.ContentLength)
        {
#pragma warning disable CA2208 // The caller's parameter is 'range'.
            throw new ArgumentOutOfRangeException("range", offset, $"The range starts at {offset}, beyond the end of the {head.ContentLength}-byte blob '{key}'.");
#pragma warning restore CA2208
        }

        S3Log.Opened(_logger, key, $"bytes={offset}-", 0);
        return new MemoryStream([], writable: false);
    }

    private async Task<GetObjectMetadataResponse?> HeadAsync(string objectKey, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _bucket, Key = objectKey }, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception ex) when (S3Errors.IsNotFound(ex))
        {
            return null;
        }
    }
}
