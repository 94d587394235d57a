using Amazon.S3;
using Amazon.S3.Model;
using ImageDedup.Storage;
using ImageDedup.Testing.Engine;
using ImageDedup.Testing.Servers;

namespace ImageDedup.S3.Tests;

/// <summary>The engine's behaviour on a SQLite temp-file reference store and the S3 blob store.</summary>
public sealed class S3EngineConformanceTests : EngineConformanceTests
{
    private SqliteFile? _database;
    private SqliteFile? _otherDatabase;
    private AmazonS3Client? _client;
    private S3BlobStoreOptions? _options;

    protected override async Task<IReferenceStore> CreateReferenceStoreAsync()
    {
        _database = await SqliteFile.CreateAsync();
        return _database.Store;
    }

    protected override async Task<IBlobStore> CreateBlobStoreAsync()
    {
        var server = await TestS3.ServerAsync();
        _options = TestS3.Options(server, S3TestServer.NewPrefix("engine"));
        _client = TestS3.Client(_options);
        return TestS3.Store(_client, _options);
    }

    protected override async Task<IReferenceStore> CreateOtherCatalogueAsync()
    {
        _otherDatabase = await SqliteFile.CreateAsync();
        return _otherDatabase.Store;
    }

    /// <summary>An object of another application in the bucket, under the store's prefix (as under an empty KeyPrefix).</summary>
    protected override async Task WriteForeignObjectAsync(string name, byte[] content)
        => await _client!.PutObjectAsync(new PutObjectRequest { BucketName = _options!.BucketName, Key = S3KeyPrefix.Normalize(_options.KeyPrefix) + name, InputStream = new MemoryStream(content), UseChunkEncoding = false });

    protected override async Task<bool> ForeignObjectExistsAsync(string name)
    {
        try
        {
            await _client!.GetObjectMetadataAsync(_options!.BucketName, S3KeyPrefix.Normalize(_options.KeyPrefix) + name);
            return true;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _client?.Dispose();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }

        if (_otherDatabase is not null)
        {
            await _otherDatabase.DisposeAsync();
        }
    }
}
