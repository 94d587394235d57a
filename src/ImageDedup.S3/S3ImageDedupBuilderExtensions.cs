using Amazon.S3;
using ImageDedup;
using ImageDedup.S3;
using ImageDedup.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the S3 blob store on an <see cref="IImageDedupBuilder"/>.</summary>
public static class S3ImageDedupBuilderExtensions
{
    /// <summary>
    /// Stores blobs in an S3 bucket (Amazon S3 or an S3-compatible server), replacing any blob store
    /// registered before. The store signs download URLs, which hosts get from
    /// <see cref="IImageDedupScope.GetReadUrlAsync"/>. The options are validated when the host starts.
    /// </summary>
    /// <remarks>
    /// When the container holds an <see cref="IAmazonS3"/> (for example from
    /// <c>AWSSDK.Extensions.NETCore.Setup</c>'s <c>AddAWSService&lt;IAmazonS3&gt;()</c>), the store uses it
    /// and the endpoint, credential, retry and checksum options are ignored: that client carries its
    /// own. Otherwise a client is built from the options and disposed with the container.
    /// </remarks>
    /// <param name="builder">The builder returned by <c>AddImageDedup()</c>.</param>
    /// <param name="configure">Sets <see cref="S3BlobStoreOptions.BucketName"/> and the other options.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static IImageDedupBuilder UseS3(this IImageDedupBuilder builder, Action<S3BlobStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);

        var services = builder.Services;
        services.AddOptions<S3BlobStoreOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<S3BlobStoreOptions>, S3BlobStoreOptionsValidator>());
        services.TryAddSingleton<S3ClientSource>();

        services.RemoveAll<IBlobStore>();
        services.AddSingleton<IBlobStore>(provider => new S3BlobStore(
            provider.GetRequiredService<S3ClientSource>().Client,
            provider.GetRequiredService<IOptions<S3BlobStoreOptions>>().Value,
            LoggerFor<S3BlobStore>(provider),
            provider.GetService<TimeProvider>()));
        return builder;
    }

    /// <summary>
    /// Adds a health check that is healthy while the S3 bucket of <see cref="UseS3"/> answers a
    /// <c>HeadBucket</c>. Opt-in: call it after <see cref="UseS3"/>.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddImageDedup()</c>.</param>
    /// <param name="name">The health check's name.</param>
    /// <param name="failureStatus">The status reported when the bucket is unreachable; null for <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags to filter health checks by.</param>
    /// <param name="timeout">How long one check may run before it is cut off and reported as failed; null for no limit beyond the client's own timeouts.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static IImageDedupBuilder AddS3HealthCheck(this IImageDedupBuilder builder, string name = "imagededup-s3", HealthStatus? failureStatus = null, IEnumerable<string>? tags = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);

        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            name,
            provider => new S3HealthCheck(
                provider.GetRequiredService<S3ClientSource>(),
                provider.GetRequiredService<IOptions<S3BlobStoreOptions>>().Value.BucketName),
            failureStatus,
            tags,
            timeout));
        return builder;
    }

    private static ILogger<T> LoggerFor<T>(IServiceProvider provider)
        => provider.GetService<ILoggerFactory>()?.CreateLogger<T>() ?? NullLogger<T>.Instance;
}
