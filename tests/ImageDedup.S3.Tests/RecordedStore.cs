using Amazon.S3;
using ImageDedup.Testing.Servers;

namespace ImageDedup.S3.Tests;

/// <summary>A store on the test server whose every request is recorded (and can be intercepted).</summary>
internal sealed class RecordedStore : IDisposable
{
    private RecordedStore(S3BlobStoreOptions options, WireRecorder wire, AmazonS3Client client, AmazonS3Client direct)
    {
        Options = options;
        Wire = wire;
        Client = client;
        Direct = direct;
        Store = TestS3.Store(client, options);
    }

    public S3BlobStoreOptions Options { get; }

    public WireRecorder Wire { get; }

    /// <summary>The client the store uses: through the recorder.</summary>
    public AmazonS3Client Client { get; }

    /// <summary>A client that bypasses the recorder, for looking at the bucket.</summary>
    public AmazonS3Client Direct { get; }

    public S3BlobStore Store { get; }

    public static async Task<RecordedStore> CreateAsync(string name, Action<S3BlobStoreOptions>? configure = null)
    {
        var server = await TestS3.ServerAsync();
        var options = TestS3.Options(server, S3TestServer.NewPrefix(name));
        configure?.Invoke(options);
        var wire = new WireRecorder();
        return new RecordedStore(options, wire, TestS3.Client(options, wire), TestS3.Client(options));
    }

    public void Dispose()
    {
        Client.Dispose();
        Direct.Dispose();
    }
}
