using Amazon.S3;
using ImageDedup.Storage;
using ImageDedup.Testing.Blobs;
using ImageDedup.Testing.Servers;

namespace ImageDedup.S3.Tests;

/// <summary>The shared blob-store behaviour, against the real S3-compatible server, one fresh key prefix per test.</summary>
public sealed class S3BlobStoreConformanceTests : BlobStoreConformanceTests, IDisposable
{
    private readonly List<AmazonS3Client> _clients = [];

    protected override async Task<IBlobStore> CreateStoreAsync()
    {
        var server = await TestS3.ServerAsync();
        var options = TestS3.Options(server, S3TestServer.NewPrefix("conformance"));
        var client = TestS3.Client(options);
        _clients.Add(client);
        return TestS3.Store(client, options);
    }

    public void Dispose()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }
    }
}
