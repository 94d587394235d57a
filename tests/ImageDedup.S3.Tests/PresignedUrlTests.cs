using ImageDedup.Storage;
using ImageDedup.Testing.Content;
using ImageDedup.Testing.Servers;
using Microsoft.Extensions.DependencyInjection;

namespace ImageDedup.S3.Tests;

/// <summary>What the S3 store signs: the object under its prefix, on the endpoint's scheme, for the lifetime asked or configured.</summary>
public sealed class PresignedUrlTests
{
    [Fact]
    public async Task A_presigned_url_fetched_with_HttpClient_returns_the_bytes()
    {
        var server = await TestS3.ServerAsync();
        var prefix = S3TestServer.NewPrefix("presign");
        await using var provider = Host(server, prefix);
        var store = provider.GetRequiredService<IBlobStore>();
        var signer = (IBlobUrlSigner)provider.GetRequiredService<IBlobStore>();
        var bytes = TestImages.UniquePng(120_000);
        var key = WireTests.Key(bytes);
        await store.WriteAsync(key, new MemoryStream(bytes), new BlobMetadata(TestImages.DigestOf(bytes), bytes.Length, "image/png"));

        var signed = await signer.GetReadUrlAsync(key, TimeSpan.FromMinutes(5));

        Assert.Equal(server.ServiceUrl.Scheme, signed.Url.Scheme);
        Assert.Contains(prefix + key, signed.Url.AbsolutePath, StringComparison.Ordinal);
        Assert.InRange(signed.ExpiresAt, DateTimeOffset.UtcNow.AddMinutes(4), DateTimeOffset.UtcNow.AddMinutes(6));
        using var http = new HttpClient();
        Assert.Equal(bytes, await http.GetByteArrayAsync(signed.Url));
    }

    [Fact]
    public async Task The_default_lifetime_comes_from_the_options_and_bad_input_is_refused()
    {
        var server = await TestS3.ServerAsync();
        await using var provider = Host(server, S3TestServer.NewPrefix("presign"), o => o.PresignedUrlLifetime = TimeSpan.FromMinutes(2));
        var signer = (IBlobUrlSigner)provider.GetRequiredService<IBlobStore>();

        var signed = await signer.GetReadUrlAsync("sha256/ab/cd/x.1");

        Assert.InRange(signed.ExpiresAt, DateTimeOffset.UtcNow.AddMinutes(1), DateTimeOffset.UtcNow.AddMinutes(3));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => signer.GetReadUrlAsync("sha256/ab/cd/x.1", TimeSpan.FromDays(8)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => signer.GetReadUrlAsync("sha256/ab/cd/x.1", TimeSpan.Zero));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => signer.GetReadUrlAsync("../etc/passwd"));
    }

    private static ServiceProvider Host(S3TestServer server, string prefix, Action<S3BlobStoreOptions>? more = null)
    {
        var services = new ServiceCollection();
        services.AddImageDedup().UseS3(o =>
        {
            o.BucketName = server.BucketName;
            o.KeyPrefix = prefix;
            o.ServiceUrl = server.ServiceUrl;
            o.ForcePathStyle = true;
            o.AccessKey = server.AccessKey;
            o.SecretKey = server.SecretKey;
            more?.Invoke(o);
        });
        return services.BuildServiceProvider();
    }
}
