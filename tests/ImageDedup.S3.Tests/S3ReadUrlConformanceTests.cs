using Amazon.S3;
using ImageDedup.Storage;
using ImageDedup.Testing.Engine;
using ImageDedup.Testing.Servers;

namespace ImageDedup.S3.Tests;

/// <summary>Signed read URLs through the engine, on a SQLite temp-file reference store and the S3 blob store.</summary>
public sealed class S3ReadUrlConformanceTests : ReadUrlConformanceTests
{
    private SqliteFile? _database;
    private AmazonS3Client? _client;

    protected override async Task<IReferenceStore> CreateReferenceStoreAsync()
    {
        _database = await SqliteFile.CreateAsync();
        return _database.Store;
    }

    protected override async Task<IBlobStore> CreateBlobStoreAsync()
    {
        var server = await TestS3.ServerAsync();
        var options = TestS3.Options(server, S3TestServer.NewPrefix("read-url"));
        _client = TestS3.Client(options);
        return TestS3.Store(_client, options);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _client?.Dispose();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}
