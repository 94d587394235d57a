using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ImageDedup.S3;

/// <summary>Healthy when the bucket answers a <c>HeadBucket</c> with the store's credentials.</summary>
internal sealed class S3HealthCheck(S3ClientSource clients, string bucketName) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            await clients.Client.HeadBucketAsync(new HeadBucketRequest { BucketName = bucketName }, cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"Bucket '{bucketName}' is reachable.");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // Every failure is the answer: the bucket is not reachable.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return new HealthCheckResult(context.Registration.FailureStatus, S3Failure.Describe(ex, bucketName, clients.Client), ex);
        }
    }
}
