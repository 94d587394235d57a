using System.Collections.Concurrent;
using Amazon.S3;
using Amazon.S3.Model;
using ImageDedup.Storage;
using ImageDedup.Testing.Content;
using ImageDedup.Testing.Servers;
using ImageDedup.Testing.Stores;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ImageDedup.S3.Tests;

/// <summary>
/// One failed S3 ingest logs one warning, the engine's, carrying the exception; the store logs its
/// own detail at Debug, and "could not clean up" appears only when clean-up really failed (issue 12 item 12).
/// </summary>
public sealed class IngestFailureLogTests : IAsyncLifetime
{
    private readonly SqliteStoreFactory _references = new();
    private readonly AllCategories _log = new();
    private readonly string _bucket = "imagededup-log-" + Guid.NewGuid().ToString("N")[..12];
    private FaultProxy _proxy = null!;
    private AmazonS3Client _client = null!;
    private AmazonS3Client _direct = null!;
    private ServiceProvider _provider = null!;

    public async Task InitializeAsync()
    {
        var server = await TestS3.ServerAsync();
        _proxy = new FaultProxy(server.ServiceUrl);
        var options = TestS3.Options(server, S3TestServer.NewPrefix("logs"), _proxy.Url);
        options.BucketName = _bucket;
        options.MaxErrorRetry = 1;
        _client = TestS3.Client(options);
        _direct = TestS3.Client(TestS3.Options(server, options.KeyPrefix));
        await _direct.PutBucketAsync(new PutBucketRequest { BucketName = _bucket });

        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(_log));
        services.AddImageDedup();
        services.AddSingleton(await _references.CreateAsync());
        services.AddSingleton<IBlobStore>(provider => new S3BlobStore(_client, options, provider.GetRequiredService<ILogger<S3BlobStore>>()));
        _provider = services.BuildServiceProvider();

        // One ingest that works claims the prefix, so the failures below meet the blob upload.
        await Engine.DefaultScope.IngestAsync(new MemoryStream(TestImages.UniquePng(1_000)), new IngestRequest { Holder = "h/first" });
        _log.Entries.Clear();
    }

    public async Task DisposeAsync()
    {
        await _provider.DisposeAsync();
        await _references.DisposeAsync();
        await DeleteBucketAsync();
        _client.Dispose();
        _direct.Dispose();
        await _proxy.DisposeAsync();
    }

    private IImageDedup Engine => _provider.GetRequiredService<IImageDedup>();

    [Fact]
    public async Task An_upload_the_server_refuses_logs_one_warning_and_no_error()
    {
        _proxy.Faults = request => request.Method == "PUT" ? new ProxyFault.SlowDown() : ProxyFault.None;

        await Assert.ThrowsAsync<AmazonS3Exception>(() => Engine.DefaultScope.IngestAsync(new MemoryStream(TestImages.UniquePng(2_000)), new IngestRequest { Holder = "h/503" }));

        AssertOneWarningNoError("SlowDown");
    }

    [Fact]
    public async Task A_bucket_removed_after_the_claim_logs_one_warning_and_no_error()
    {
        await DeleteBucketAsync();

        var error = await Assert.ThrowsAsync<AmazonS3Exception>(() => Engine.DefaultScope.IngestAsync(new MemoryStream(TestImages.UniquePng(2_000)), new IngestRequest { Holder = "h/gone" }));

        Assert.Equal("NoSuchBucket", error.ErrorCode);
        AssertOneWarningNoError("NoSuchBucket");
    }

    private void AssertOneWarningNoError(string errorCode)
    {
        var entries = _log.Entries.ToArray();
        var warning = Assert.Single(entries, e => e.Level >= LogLevel.Warning);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("Ingest failed", warning.Message, StringComparison.Ordinal);
        Assert.Equal(errorCode, Assert.IsType<AmazonS3Exception>(warning.Exception).ErrorCode);
        Assert.DoesNotContain(entries, e => e.Message.Contains("clean up", StringComparison.OrdinalIgnoreCase) && e.Level >= LogLevel.Information);
    }

    private async Task DeleteBucketAsync()
    {
        try
        {
            var listing = await _direct.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _bucket });
            foreach (var listed in listing.S3Objects ?? [])
            {
                await _direct.DeleteObjectAsync(_bucket, listed.Key);
            }

            await _direct.DeleteBucketAsync(_bucket);
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchBucket")
        {
        }
    }

    /// <summary>Captures every category into one list, so the engine's and the store's messages are counted together.</summary>
    private sealed class AllCategories : ILoggerProvider
    {
        public ConcurrentQueue<(LogLevel Level, string Category, string Message, Exception? Exception)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(AllCategories owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
                => owner.Entries.Enqueue((logLevel, category, formatter(state, exception), exception));
        }
    }
}
