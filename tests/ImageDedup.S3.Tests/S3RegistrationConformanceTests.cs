using ImageDedup.Storage;
using ImageDedup.Testing.Registration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ImageDedup.S3.Tests;

/// <summary>UseS3 held to the shared registration rules.</summary>
public sealed class S3RegistrationConformanceTests : RegistrationConformanceTests, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("imagededup-s3-registration-").FullName;

    protected override Type StoreContract => typeof(IBlobStore);

    protected override string InvalidOptionName => "BucketName";

    protected override void Use(IImageDedupBuilder builder) => builder.UseS3(o => Offline(o, port: 1));

    protected override void UseInvalid(IImageDedupBuilder builder) => builder.UseS3(o =>
    {
        Offline(o, port: 1);
        o.BucketName = "No_Such Bucket!";
    });

    protected override void CompleteWithOtherStore(IImageDedupBuilder builder) => builder.UseSqlite($"Data Source={Path.Combine(_directory, "catalogue.db")}");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    internal static void Offline(S3BlobStoreOptions options, int port)
    {
        options.BucketName = "originals";
        options.ServiceUrl = new Uri($"http://127.0.0.1:{port}");
        options.ForcePathStyle = true;
        options.AccessKey = "key";
        options.SecretKey = "secret";
        options.MaxErrorRetry = 0;
    }
}

/// <summary>AddS3HealthCheck held to the shared health-check rules.</summary>
public sealed class S3HealthCheckConformanceTests : HealthCheckConformanceTests
{
    protected override string DefaultName => "imagededup-s3";

    protected override async Task UseReachableAsync(IImageDedupBuilder builder)
    {
        var server = await TestS3.ServerAsync();
        var options = TestS3.Options(server, string.Empty);
        builder.UseS3(o =>
        {
            o.BucketName = options.BucketName;
            o.ServiceUrl = options.ServiceUrl;
            o.ForcePathStyle = true;
            o.AccessKey = options.AccessKey;
            o.SecretKey = options.SecretKey;
        });
    }

    protected override void UseAt(IImageDedupBuilder builder, int port) => builder.UseS3(o => S3RegistrationConformanceTests.Offline(o, port));

    protected override IImageDedupBuilder AddHealthCheck(IImageDedupBuilder builder, string? name = null, HealthStatus? failureStatus = null, IEnumerable<string>? tags = null, TimeSpan? timeout = null)
        => name is null
            ? builder.AddS3HealthCheck(failureStatus: failureStatus, tags: tags, timeout: timeout)
            : builder.AddS3HealthCheck(name, failureStatus, tags, timeout);
}
