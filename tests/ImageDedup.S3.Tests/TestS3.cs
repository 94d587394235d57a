using Amazon.Runtime;
using Amazon.S3;
using ImageDedup.Testing.Servers;
using ImageDedup.Testing.Stores;
using Microsoft.Extensions.Logging.Abstractions;

namespace ImageDedup.S3.Tests;

/// <summary>Stores and clients against the shared test server, each under its own key prefix.</summary>
internal static class TestS3
{
    /// <summary>The shared server, with its bucket created.</summary>
    public static Task<S3TestServer> ServerAsync() => S3StoreFactory.ServerAsync();

    /// <summary>Options for <paramref name="server"/> under <paramref name="prefix"/>, retrying quickly.</summary>
    public static S3BlobStoreOptions Options(S3TestServer server, string prefix, Uri? serviceUrl = null) => new()
    {
        BucketName = server.BucketName,
        KeyPrefix = prefix,
        ServiceUrl = serviceUrl ?? server.ServiceUrl,
        ForcePathStyle = true,
        AccessKey = server.AccessKey,
        SecretKey = server.SecretKey,
        MaxErrorRetry = 3,
    };

    /// <summary>A client as the store builds it, optionally on a recording HTTP stack.</summary>
    public static AmazonS3Client Client(S3BlobStoreOptions options, HttpClientFactory? http = null)
    {
        var config = S3ClientConfigs.Create(options);
        if (http is not null)
        {
            config.HttpClientFactory = http;
        }

        return S3ClientConfigs.CreateClient(options, config);
    }

    public static S3BlobStore Store(IAmazonS3 client, S3BlobStoreOptions options) => new(client, options, NullLogger<S3BlobStore>.Instance);
}
