using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using ImageDedup.Shared;
using Microsoft.Extensions.Logging;

namespace ImageDedup.S3;

/// <summary>
/// The ownership marker of a bucket and key prefix: the object <c>KeyPrefix + .imagededup/owner</c>.
/// </summary>
/// <remarks>
/// The first claim creates it with <c>If-None-Match: *</c>, so on a server that honours conditional
/// writes (AWS S3, MinIO, R2, …) of two catalogues claiming a fresh prefix at once exactly one
/// creates it and the other gets 412 and fails. A server that ignores the header (s3rver) lets the
/// later PUT replace the earlier one; so after every create the claim reads the marker back and
/// fails unless it names the claimant. The rule on such a server: <b>the marker's content decides,
/// and the last PUT wins.</b> A catalogue that lost may pass its own read-back if it read before the
/// winner's PUT landed, but the engine claims again before each reconcile sweep, so only the
/// catalogue the marker names ever deletes anything, and the loser fails at its next reconcile and
/// its next start.
/// </remarks>
internal sealed class S3Ownership(IAmazonS3 client, string bucket, S3BlobKeys keys, bool useChunkEncoding, ILogger logger)
{
    private string MarkerKey => keys.Prefix + OwnershipMarker.Name;

    /// <summary>The location as the exception and the logs name it.</summary>
    public string Location => $"s3://{bucket}/{keys.Prefix}";

    public async Task ClaimAsync(Guid catalogueId, CancellationToken cancellationToken)
    {
        try
        {
            var owner = await ReadAsync(cancellationToken).ConfigureAwait(false);
            if (owner.Exists)
            {
                OwnershipMarker.RequireOwner(Location, catalogueId, owner.Id);
                return;
            }

            await CreateAsync(catalogueId, cancellationToken).ConfigureAwait(false);

            // A server that ignores If-None-Match may have let another claimant's PUT replace ours.
            owner = await ReadAsync(cancellationToken).ConfigureAwait(false);
            OwnershipMarker.RequireOwner(Location, catalogueId, owner.Id);
            S3Log.OwnershipClaimed(logger, Location, catalogueId);
        }
        catch (AmazonS3Exception ex) when (IsConfigurationError(ex))
        {
            // The SDK's own text for a missing bucket names neither the bucket nor the endpoint.
            // Transient failures (503 SlowDown, timeouts) stay the SDK's exceptions, as on every other call.
            throw new InvalidOperationException(S3Failure.Describe(ex, bucket, client), ex);
        }
    }

    private static bool IsConfigurationError(AmazonS3Exception error)
        => S3Errors.IsNoSuchBucket(error)
            || error.StatusCode == HttpStatusCode.Forbidden
            || error.ErrorCode is "AccessDenied" or "InvalidAccessKeyId" or "SignatureDoesNotMatch" or "AllAccessDisabled";

    private async Task CreateAsync(Guid catalogueId, CancellationToken cancellationToken)
    {
        var request = new PutObjectRequest
        {
            BucketName = bucket,
            Key = MarkerKey,
            InputStream = new MemoryStream(OwnershipMarker.Content(catalogueId), writable: false),
            ContentType = "text/plain",
            IfNoneMatch = "*",
            UseChunkEncoding = useChunkEncoding,
        };

        try
        {
            await client.PutObjectAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict)
        {
            // Another claimant created it first (409: its create was still in flight); the read-back decides.
        }
    }

    /// <summary>
    /// Reads the marker. A server that does not write objects atomically (s3rver) may answer a read
    /// racing another claimant's PUT with a torn response — a body cut short, an ETag or checksum
    /// that does not match it; such a read is tried again after a moment, when the writes of the
    /// claimants have landed, so the claim is decided on a settled marker. Tried for a span of time,
    /// not a number of attempts: on a loaded machine one claimant's PUT outlasted six quick retries
    /// (all six concurrent claimants failed, in CI).
    /// </summary>
    private async Task<(bool Exists, Guid? Id)> ReadAsync(CancellationToken cancellationToken)
    {
        var settling = System.Diagnostics.Stopwatch.StartNew();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var response = await client.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = MarkerKey }, cancellationToken).ConfigureAwait(false);
                using var content = new MemoryStream();
                await response.ResponseStream.CopyToAsync(content, cancellationToken).ConfigureAwait(false);
                return (true, OwnershipMarker.Parse(content.ToArray()));
            }
            catch (AmazonS3Exception ex) when (S3Errors.IsNotFound(ex))
            {
                return (false, null);
            }
            catch (Exception ex) when (settling.Elapsed < TornReadPatience && IsTornRead(ex) && !cancellationToken.IsCancellationRequested)
            {
                S3Log.OwnershipReadTorn(logger, Location, attempt, ex);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(25 * attempt, 500)), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>How long a torn marker read is tried again: far longer than any claimant's PUT of a few bytes.</summary>
    private static readonly TimeSpan TornReadPatience = TimeSpan.FromSeconds(15);

    /// <summary>A response cut short or inconsistent with itself, as opposed to an answer of the server.</summary>
    private static bool IsTornRead(Exception error)
        => error is IOException or ArgumentOutOfRangeException
            || (error is Amazon.Runtime.AmazonClientException && error is not Amazon.Runtime.AmazonServiceException);
}
