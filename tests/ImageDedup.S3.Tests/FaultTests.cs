using Amazon.Runtime;
using Amazon.S3;
using ImageDedup.Storage;
using ImageDedup.Testing.Content;
using ImageDedup.Testing.Servers;
using ImageDedup.Testing.Stores;
using Microsoft.Extensions.DependencyInjection;

namespace ImageDedup.S3.Tests;

/// <summary>
/// Network and server faults, injected by a proxy in front of the shared server: transient ones
/// are retried by the SDK without the caller noticing; lasting ones fail the ingest with a typed
/// error and leave nothing behind, and the same ingest succeeds once they stop.
/// </summary>
public sealed class FaultTests : IAsyncLifetime
{
    private FaultProxy _proxy = null!;
    private readonly SqliteStoreFactory _references = new();
    private IReferenceStore _catalogue = null!;
    private AmazonS3Client _client = null!;
    private AmazonS3Client _direct = null!;
    private ServiceProvider _provider = null!;
    private S3BlobStore _blobs = null!;
    private S3BlobStore _directBlobs = null!;

    public async Task InitializeAsync()
    {
        var server = await TestS3.ServerAsync();
        _proxy = new FaultProxy(server.ServiceUrl);
        var prefix = S3TestServer.NewPrefix("faults");
        var options = TestS3.Options(server, prefix, _proxy.Url);
        // Long enough for a healthy request on a loaded 2-core CI machine (1 s timed out there), short
        // enough that the slow-read fault below, three times as long, must time out.
        options.RequestTimeout = TimeSpan.FromSeconds(3);
        options.MaxErrorRetry = 2;
        _client = TestS3.Client(options);
        _blobs = TestS3.Store(_client, options);
        var direct = TestS3.Options(server, prefix);
        _direct = TestS3.Client(direct);
        _directBlobs = TestS3.Store(_direct, direct);
        _catalogue = await _references.CreateAsync();
        var services = new ServiceCollection();
        services.AddImageDedup();
        services.AddSingleton(_catalogue);
        services.AddSingleton<IBlobStore>(_blobs);
        _provider = services.BuildServiceProvider();

        // The prefix is claimed around the proxy, so the faults below meet the blob uploads, not the
        // ownership marker's first write.
        await _directBlobs.ClaimOwnershipAsync(await _catalogue.GetCatalogueIdAsync());
    }

    public async Task DisposeAsync()
    {
        await _provider.DisposeAsync();
        await _references.DisposeAsync();
        _client.Dispose();
        _direct.Dispose();
        await _proxy.DisposeAsync();
    }

    private IImageDedup Engine => _provider.GetRequiredService<IImageDedup>();

    [Fact]
    public async Task Two_503s_on_the_upload_are_retried_transparently()
    {
        var slowDowns = 0;
        _proxy.Faults = request => request.Method == "PUT" && Interlocked.Increment(ref slowDowns) <= 2 ? new ProxyFault.SlowDown() : ProxyFault.None;
        var bytes = TestImages.UniquePng(200_000);

        var ingest = await Engine.DefaultScope.IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = "h/503" });

        Assert.True(ingest.StoredNewBytes);
        Assert.Equal(3, _proxy.Seen.Count(s => s.Request.Method == "PUT"));
        Assert.Equal(2, _proxy.Seen.Count(s => s.Fault is ProxyFault.SlowDown));
        Assert.Equal(bytes, await WireTests.ReadAllAsync(_directBlobs, ingest.Original.StorageKey));
    }

    [Fact]
    public async Task A_connection_dropped_once_mid_upload_is_retried_transparently()
    {
        var drops = 0;
        // s3rver writes a PUT body straight into the object file, so the dropped request's half
        // body can land after the retry's whole one. Real S3 is atomic; here the retry is held
        // back a moment so s3rver has settled the dropped request first.
        _proxy.Faults = request => request.Method != "PUT" ? ProxyFault.None : Interlocked.Increment(ref drops) switch
        {
            1 => new ProxyFault.DropAfter(request.ContentLength / 2),
            2 => new ProxyFault.Delay(TimeSpan.FromMilliseconds(300)),
            _ => ProxyFault.None,
        };
        var bytes = TestImages.UniquePng(400_000);

        var ingest = await Engine.DefaultScope.IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = "h/drop-once" });

        Assert.Contains(_proxy.Seen, s => s.Fault is ProxyFault.DropAfter);
        Assert.Equal(bytes, await WireTests.ReadAllAsync(_directBlobs, ingest.Original.StorageKey));
    }

    [Fact]
    public async Task A_slow_read_times_out_and_is_retried_transparently()
    {
        var bytes = TestImages.UniquePng(50_000);
        var ingest = await Engine.DefaultScope.IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = "h/slow" });
        var delays = 0;
        _proxy.Faults = request => request.Method == "GET" && Interlocked.Increment(ref delays) == 1 ? new ProxyFault.Delay(TimeSpan.FromSeconds(9)) : ProxyFault.None;

        await using var read = await Engine.DefaultScope.OpenReadAsync(ingest.Original.Id, new ReadOptions { Verify = true });
        using var copy = new MemoryStream();
        await read.CopyToAsync(copy);

        Assert.Equal(bytes, copy.ToArray());
        Assert.Contains(_proxy.Seen, s => s.Fault is ProxyFault.Delay);
        Assert.True(_proxy.Seen.Count(s => s.Request.Method == "GET") >= 2, "the timed-out GET was not retried");
    }

    [Fact]
    public async Task Uploads_dropped_mid_body_every_time_fail_typed_leave_nothing_and_succeed_once_the_faults_stop()
    {
        _proxy.Faults = request => request.Method == "PUT" && request.ContentLength > 64 * 1024 ? new ProxyFault.DropAfter(request.ContentLength / 2) : ProxyFault.None;
        var bytes = TestImages.UniquePng(300_000);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => Engine.DefaultScope.IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = "h/1" }));

        Assert.True(error is AmazonServiceException or HttpRequestException or IOException, $"expected a typed transport error, got {error}");
        // The first try and the SDK's retries (the HTTP stack may add its own reconnects).
        Assert.True(_proxy.Seen.Count(s => s.Fault is ProxyFault.DropAfter) >= 3, "the dropped upload was not retried");
        await AssertNothingStoredAsync("h/1");

        _proxy.Faults = _ => ProxyFault.None;
        var retried = await Engine.DefaultScope.IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = "h/1" });

        Assert.True(retried.StoredNewBytes);
        Assert.Equal(bytes, await WireTests.ReadAllAsync(_directBlobs, retried.Original.StorageKey));
    }

    [Fact]
    public async Task A_server_answering_503_to_every_upload_fails_typed_and_leaves_nothing()
    {
        _proxy.Faults = request => request.Method == "PUT" ? new ProxyFault.SlowDown() : ProxyFault.None;
        var bytes = TestImages.UniquePng(100_000);

        var error = await Assert.ThrowsAsync<AmazonS3Exception>(() => Engine.DefaultScope.IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = "h/2" }));

        Assert.Equal("SlowDown", error.ErrorCode);
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, error.StatusCode);
        await AssertNothingStoredAsync("h/2");

        _proxy.Faults = _ => ProxyFault.None;
        var retried = await Engine.DefaultScope.IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = "h/2" });
        Assert.Equal(bytes, await WireTests.ReadAllAsync(_directBlobs, retried.Original.StorageKey));
    }

    private async Task AssertNothingStoredAsync(string holder)
    {
        Assert.Empty((await _catalogue.ListOriginalsAsync(string.Empty, null, 100)).Items);
        Assert.Null(await _catalogue.FindByHolderAsync(string.Empty, holder));
        var blobs = new List<string>();
        await foreach (var blob in _directBlobs.ListAsync())
        {
            blobs.Add(blob.Key);
        }

        Assert.Empty(blobs);
    }
}
