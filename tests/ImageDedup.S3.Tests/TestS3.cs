using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using ImageDedup.Testing.Servers;
using Microsoft.Extensions.Logging.Abstractions;

namespace ImageDedup.S3.Tests;

/// <summary>Stores and clients against the shared test server, each under its own key prefix.</summary>
internal static class TestS3
{
    private static readonly SemaphoreSlim BucketGate = new(1, 1);
    private static bool _bucketReady;

    /// <summary>The shared server, with its bucket created.</summary>
    public static async Task<S3TestServer> ServerAsync()
    {
        var server = await S3TestServer.GetAsync();
        await BucketGate.WaitAsync();
        try
        {
            if (!_bucketReady && server.BucketMayBeMissing)
            {
                using var client = Client(Options(server, string.Empty));
                try
                {
                    await client.PutBucketAsync(new PutBucketRequest { BucketName = server.BucketName });
                }
                catch (AmazonS3Exception ex) when (ex.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
                {
                }
            }

            _bucketReady = true;
            return server;
        }
        finally
        {
            BucketGate.Release();
        }
    }

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
