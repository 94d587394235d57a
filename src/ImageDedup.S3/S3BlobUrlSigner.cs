using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;

namespace ImageDedup.S3;

/// <summary>Signs <c>GET</c> URLs for blobs of one bucket and prefix, locally, without a request.</summary>
internal sealed class S3BlobUrlSigner(IAmazonS3 client, S3BlobStoreOptions options, ILogger logger, TimeProvider? timeProvider = null)
{
    private readonly S3BlobKeys _keys = new(options.KeyPrefix);
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    public async Task<SignedReadUrl> GetReadUrlAsync(string key, TimeSpan? lifetime = null, CancellationToken cancellationToken = default)
    {
        var objectKey = _keys.ObjectKey(key);
        var valid = lifetime ?? options.PresignedUrlLifetime;
        if (valid <= TimeSpan.Zero || valid > S3BlobStoreOptionsValidator.MaximumPresignedUrlLifetime)
        {
            throw new ArgumentOutOfRangeException(nameof(lifetime), valid, "A presigned URL lives longer than zero and at most 7 days.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var expires = _time.GetUtcNow() + valid;
        var request = new GetPreSignedUrlRequest
        {
            BucketName = options.BucketName,
            Key = objectKey,
            Verb = HttpVerb.GET,
            Expires = expires.UtcDateTime,
            // The SDK signs https unless told otherwise; an http endpoint needs http URLs.
            Protocol = IsHttp(client) ? Protocol.HTTP : Protocol.HTTPS,
        };

        var url = await client.GetPreSignedURLAsync(request).ConfigureAwait(false);
        S3Log.Presigned(logger, key, expires);
        return new SignedReadUrl(new Uri(url), expires);
    }

    private static bool IsHttp(IAmazonS3 client)
        => client.Config.ServiceURL is { } serviceUrl
            ? serviceUrl.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
            : client.Config.UseHttp;
}
