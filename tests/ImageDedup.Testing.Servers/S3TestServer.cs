namespace ImageDedup.Testing.Servers;

/// <summary>
/// The S3-compatible server integration tests run against, shared by the whole test run:
/// the one named by <c>IMAGEDEDUP_TEST_S3_*</c> (test.sh starts s3rver and sets them), else a
/// Testcontainers container (MinIO, or s3rver: see <see cref="ContainerSettings"/>), else a clear
/// failure — never a silent skip.
/// Test classes share its bucket and keep apart by key prefix (<see cref="NewPrefix"/>).
/// </summary>
public sealed class S3TestServer
{
    private const string DefaultBucket = "imagededup-test";
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static S3TestServer? _shared;

    private S3TestServer(Uri serviceUrl, string accessKey, string secretKey, string bucketName, string? directory, bool bucketMayBeMissing, string? containerImage = null)
    {
        ContainerImage = containerImage;
        ServiceUrl = serviceUrl;
        AccessKey = accessKey;
        SecretKey = secretKey;
        BucketName = bucketName;
        Directory = directory;
        BucketMayBeMissing = bucketMayBeMissing;
    }

    /// <summary>The endpoint, for example <c>http://127.0.0.1:4568</c>.</summary>
    public Uri ServiceUrl { get; }

    /// <summary>The access key.</summary>
    public string AccessKey { get; }

    /// <summary>The secret key.</summary>
    public string SecretKey { get; }

    /// <summary>The bucket tests use.</summary>
    public string BucketName { get; }

    /// <summary>Where the server keeps objects on this machine's disk (s3rver started by test.sh), or null when unknown (a container).</summary>
    public string? Directory { get; }

    /// <summary>The image of the container the server runs in, or null for the server of <c>IMAGEDEDUP_TEST_S3_URL</c>.</summary>
    public string? ContainerImage { get; }

    /// <summary>True when the caller has to create <see cref="BucketName"/> first (a fresh container).</summary>
    public bool BucketMayBeMissing { get; }

    /// <summary>The server of this run, started on first use.</summary>
    /// <exception cref="InvalidOperationException">No server is configured and none could be started.</exception>
    public static async Task<S3TestServer> GetAsync()
    {
        await Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            return _shared ??= FromEnvironment() ?? await StartContainerAsync().ConfigureAwait(false);
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>A key prefix no other test class or run uses: <c>name-guid/</c>.</summary>
    public static string NewPrefix(string name) => $"{name.ToLowerInvariant()}-{Guid.NewGuid():N}/";

    private static S3TestServer? FromEnvironment()
    {
        var url = Environment.GetEnvironmentVariable("IMAGEDEDUP_TEST_S3_URL");
        if (string.IsNullOrWhiteSpace(url))
        {
            return null;
        }

        var directory = Environment.GetEnvironmentVariable("IMAGEDEDUP_TEST_S3_DIRECTORY");
        return new S3TestServer(
            new Uri(url),
            Environment.GetEnvironmentVariable("IMAGEDEDUP_TEST_S3_ACCESS_KEY") ?? "S3RVER",
            Environment.GetEnvironmentVariable("IMAGEDEDUP_TEST_S3_SECRET_KEY") ?? "S3RVER",
            Environment.GetEnvironmentVariable("IMAGEDEDUP_TEST_S3_BUCKET") is { Length: > 0 } bucket ? bucket : DefaultBucket,
            string.IsNullOrWhiteSpace(directory) ? null : directory,
            bucketMayBeMissing: true);
    }

    private static async Task<S3TestServer> StartContainerAsync()
    {
        var settings = ContainerSettings.FromEnvironment();
        try
        {
            var endpoint = await S3Container.StartAsync(settings, DefaultBucket).ConfigureAwait(false);
            return new S3TestServer(endpoint.ServiceUrl, endpoint.AccessKey, endpoint.SecretKey, DefaultBucket, directory: null, bucketMayBeMissing: true, settings.S3Image);
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidOperationException(
                "No S3 server for the integration tests: IMAGEDEDUP_TEST_S3_URL is not set (./test.sh starts s3rver and sets it) "
                + $"and the {settings.S3Kind} container fallback failed: {ex.Message}",
                ex);
        }
    }
}
