using System.Reflection;
using Amazon.S3;
using Amazon.S3.Model;
using ImageDedup.S3;
using ImageDedup.Storage;
using ImageDedup.Testing.Servers;
using Microsoft.Extensions.DependencyInjection;

namespace ImageDedup.Testing.Stores;

/// <summary>S3 blob stores on the run's shared test server, each under its own key prefix of the one bucket.</summary>
public sealed class S3StoreFactory : StoreFactory<IBlobStore>, IStoreFactory<IBlobStore>, IForeignObjects
{
    private readonly Dictionary<IBlobStore, string> _prefixes = new(ReferenceEqualityComparer.Instance);
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
                using var client = Client(server);
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
        var prefix = S3TestServer.NewPrefix("store");
        var store = Build(b => b.UseS3(o =>
        {
            o.BucketName = server.BucketName;
            o.KeyPrefix = prefix;
            o.ServiceUrl = server.ServiceUrl;
            o.ForcePathStyle = true;
            o.AccessKey = server.AccessKey;
            o.SecretKey = server.SecretKey;
            o.MaxErrorRetry = 3;
        }));
        _prefixes.Add(store, prefix.EndsWith('/') ? prefix : prefix + "/");
        return store;
    }

    /// <summary>An object of another application under the store's prefix (as under an empty <c>KeyPrefix</c>).</summary>
    public async Task WriteForeignObjectAsync(IBlobStore store, string name, byte[] content)
    {
        var server = await ServerAsync();
        using var client = Client(server);
        await client.PutObjectAsync(new PutObjectRequest { BucketName = server.BucketName, Key = _prefixes[store] + name, InputStream = new MemoryStream(content), UseChunkEncoding = false });
    }

    /// <inheritdoc/>
    public async Task<bool> ForeignObjectExistsAsync(IBlobStore store, string name)
    {
        var server = await ServerAsync();
        using var client = Client(server);
        try
        {
            await client.GetObjectMetadataAsync(server.BucketName, _prefixes[store] + name);
            return true;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    private static AmazonS3Client Client(S3TestServer server)
        => new(server.AccessKey, server.SecretKey, new AmazonS3Config { ServiceURL = server.ServiceUrl.ToString(), ForcePathStyle = true });
}
