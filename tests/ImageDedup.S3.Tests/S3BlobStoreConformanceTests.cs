using Amazon.S3;
using Amazon.S3.Model;
using ImageDedup.Storage;
using ImageDedup.Testing.Blobs;
using ImageDedup.Testing.Servers;

namespace ImageDedup.S3.Tests;

/// <summary>The shared blob-store behaviour, against the real S3-compatible server, one fresh key prefix per test.</summary>
public sealed class S3BlobStoreConformanceTests : BlobStoreConformanceTests, IDisposable
{
    private readonly List<AmazonS3Client> _clients = [];
    private readonly Dictionary<S3BlobStore, S3BlobStoreOptions> _options = [];

    protected override async Task<IBlobStore> CreateStoreAsync()
    {
        var server = await TestS3.ServerAsync();
        var options = TestS3.Options(server, S3TestServer.NewPrefix("conformance"));
        var client = TestS3.Client(options);
        _clients.Add(client);
        var store = TestS3.Store(client, options);
        _options[store] = options;
        return store;
    }

    protected override Task<IBlobStore> ReopenAsync(IBlobStore store)
    {
        var s3 = (S3BlobStore)store;
        var options = _options[s3];
        var client = TestS3.Client(options);
        _clients.Add(client);
        return Task.FromResult<IBlobStore>(TestS3.Store(client, options));
    }

    protected override async Task WriteForeignObjectAsync(IBlobStore store, string name, byte[] content)
    {
        var s3 = (S3BlobStore)store;
        using var client = TestS3.Client(_options[s3]);
        await client.PutObjectAsync(new PutObjectRequest { BucketName = s3.BucketName, Key = s3.KeyPrefix + name, InputStream = new MemoryStream(content), UseChunkEncoding = false });
    }

    public void Dispose()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }
    }
}
