using ImageDedup.Testing.Servers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ImageDedup.S3.Tests;

/// <summary>AddS3HealthCheck: healthy while the bucket answers, unhealthy when it is missing or unreachable.</summary>
public sealed class HealthCheckTests
{
    [Fact]
    public async Task The_check_is_healthy_while_the_bucket_answers()
    {
        var server = await TestS3.ServerAsync();

        var report = await CheckAsync(server.ServiceUrl, server);

        Assert.Equal(HealthStatus.Healthy, report.Entries["imagededup-s3"].Status);
    }

    [Fact]
    public async Task The_check_is_unhealthy_when_the_bucket_does_not_exist()
    {
        var server = await TestS3.ServerAsync();

        var report = await CheckAsync(server.ServiceUrl, server, bucket: "imagededup-no-such-bucket");

        Assert.Equal(HealthStatus.Unhealthy, report.Entries["imagededup-s3"].Status);
        Assert.Equal($"Bucket 'imagededup-no-such-bucket' does not exist at {server.ServiceUrl}.", report.Entries["imagededup-s3"].Description);
    }

    [Fact]
    public async Task The_check_is_unhealthy_when_the_server_is_unreachable()
    {
        var server = await TestS3.ServerAsync();
        await using var proxy = new FaultProxy(server.ServiceUrl) { Faults = _ => new ProxyFault.DropAfter(0) };

        var report = await CheckAsync(proxy.Url, server, name: "s3", retries: 0);

        Assert.Equal(HealthStatus.Unhealthy, report.Entries["s3"].Status);
        Assert.NotNull(report.Entries["s3"].Exception);
        Assert.StartsWith($"The S3 endpoint {proxy.Url} of bucket '{server.BucketName}' cannot be reached", report.Entries["s3"].Description, StringComparison.Ordinal);
    }

    private static async Task<HealthReport> CheckAsync(Uri url, S3TestServer server, string? bucket = null, string? name = null, int retries = 1)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        var builder = services.AddImageDedup().UseS3(o =>
        {
            o.BucketName = bucket ?? server.BucketName;
            o.ServiceUrl = url;
            o.ForcePathStyle = true;
            o.AccessKey = server.AccessKey;
            o.SecretKey = server.SecretKey;
            o.MaxErrorRetry = retries;
        });
        if (name is null)
        {
            builder.AddS3HealthCheck();
        }
        else
        {
            builder.AddS3HealthCheck(name);
        }

        await using var provider = services.BuildServiceProvider();
        return await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();
    }
}
