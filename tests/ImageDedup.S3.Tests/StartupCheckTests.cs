using ImageDedup.Testing.Servers;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ImageDedup.S3.Tests;

/// <summary>ValidateOnStart with the S3 blob store: a missing bucket or a taken prefix stops the host (issue 12 item 11, issue 11 item 2).</summary>
public sealed class StartupCheckTests : IDisposable
{
    private readonly string _directory = Path.Join(Path.GetTempPath(), "imagededup-s3-startup-" + Guid.NewGuid().ToString("N"));

    public StartupCheckTests() => Directory.CreateDirectory(_directory);

    [Fact]
    public async Task A_missing_bucket_fails_the_host_start_naming_the_bucket()
    {
        var server = await TestS3.ServerAsync();
        using var host = Build(server, "catalogue.db", S3TestServer.NewPrefix("startup"), bucket: "imagededup-no-such-bucket");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.StartsWith("ImageDedup's start-up check failed: the blob store (S3BlobStore) cannot be used.", error.Message, StringComparison.Ordinal);
        Assert.Contains($"Bucket 'imagededup-no-such-bucket' does not exist at {server.ServiceUrl}.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_catalogue_on_the_same_prefix_fails_the_host_start_naming_both()
    {
        var server = await TestS3.ServerAsync();
        var prefix = S3TestServer.NewPrefix("startup");
        using var first = Build(server, "first.db", prefix);
        await first.StartAsync();
        using var second = Build(server, "second.db", prefix);

        var error = await Assert.ThrowsAsync<BlobStoreOwnershipException>(() => second.StartAsync());

        Assert.NotEqual(error.CatalogueId, error.OwnerCatalogueId);
        Assert.Equal($"s3://{server.BucketName}/{prefix}", error.Location);
        Assert.Contains(error.OwnerCatalogueId!.Value.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains(error.CatalogueId.ToString(), error.Message, StringComparison.Ordinal);

        // Another instance of the first catalogue starts.
        using var again = Build(server, "first.db", prefix);
        await again.StartAsync();
        await again.StopAsync();
        await first.StopAsync();
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private IHost Build(S3TestServer server, string database, string prefix, string? bucket = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddImageDedup()
            .UseSqlite(new SqliteConnectionStringBuilder { DataSource = Path.Join(_directory, database) }.ToString())
            .UseS3(o =>
            {
                o.BucketName = bucket ?? server.BucketName;
                o.KeyPrefix = prefix;
                o.ServiceUrl = server.ServiceUrl;
                o.ForcePathStyle = true;
                o.AccessKey = server.AccessKey;
                o.SecretKey = server.SecretKey;
                o.MaxErrorRetry = 1;
            })
            .ValidateOnStart();
        return builder.Build();
    }
}
