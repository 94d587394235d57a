using System.Reflection;
using Amazon.S3;
using Amazon.S3.Model;
using ImageDedup.S3;
using ImageDedup.Storage;
using ImageDedup.Testing.Servers;
using Microsoft.Extensions.DependencyInjection;

namespace ImageDedup.Testing.Stores;

/// <summary>S3 blob stores on the run's shared test server, each under its own key prefix of the one bucket.</summary>
public sealed class S3StoreFactory : StoreFactory<IBlobStore>, IStoreFactory<IBlobStore>
{
    private static readonly SemaphoreSlim BucketGate = new(1, 1);
    private static bool _bucketReady;

    /// <inheritdoc/>
    public static Assembly Provider => typeof(S3BlobStoreOptions).Assembly;

    /// <summary>The shared server, with its bucket created (once a run).</summary>
    public static async Task<S3TestServer> ServerAsync()
    {
        var server = await S3TestServer.GetAsync();
        await BucketGate.WaitAsync();
        try
        {
            if (!_bucketReady && server.BucketMayBeMissing)
            {
                using var client = new AmazonS3Client(server.AccessKey, server.SecretKey, new AmazonS3Config { ServiceURL = server.ServiceUrl.ToString(), ForcePathStyle = true });
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

    /// <inheritdoc/>
    public override async Task<IBlobStore> CreateAsync()
    {
        var server = await ServerAsync();
        return Build(b => b.UseS3(o =>
        {
            o.BucketName = server.BucketName;
            o.KeyPrefix = S3TestServer.NewPrefix("store");
            o.ServiceUrl = server.ServiceUrl;
            o.ForcePathStyle = true;
            o.AccessKey = server.AccessKey;
            o.SecretKey = server.SecretKey;
            o.MaxErrorRetry = 3;
        }));
    }
}
