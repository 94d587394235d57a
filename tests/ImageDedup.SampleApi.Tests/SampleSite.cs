using System.Text.RegularExpressions;
using Amazon.S3;
using ImageDedup.Testing.Servers;
using ImageDedup.Testing.Stores;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ImageDedup.SampleApi.Tests;

/// <summary>
/// Where one sample deployment lives: a database (the app's tables and the catalogue's schema) and
/// a key prefix of the run's S3 bucket, with the configuration the app reads from its environment.
/// Clean-up runs every second with a two-second orphan grace period, so what a test deletes is
/// gone within seconds.
/// </summary>
public sealed partial class SampleSite(string connectionString, S3TestServer s3, string keyPrefix)
{
    public string ConnectionString => connectionString;

    public S3TestServer S3 => s3;

    /// <summary>Where the app keeps its originals in the bucket.</summary>
    public string KeyPrefix => keyPrefix;

    /// <summary>The deployment's <c>Admin:Token</c>, a fresh random one per site.</summary>
    public string AdminToken { get; } = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    /// <summary>Where these tests put objects stored the old way (one per image row).</summary>
    public string LegacyPrefix => keyPrefix.TrimEnd('/') + "-legacy/";

    public static TimeSpan OrphanGracePeriod => TimeSpan.FromSeconds(2);

    public static Task<SampleSite> CreateAsync(PostgresDatabase database) => CreateAsync(database.ConnectionString);

    public static async Task<SampleSite> CreateAsync(string connectionString)
    {
        var server = await S3StoreFactory.ServerAsync(); // the run's server, its bucket created
        return new SampleSite(connectionString, server, S3TestServer.NewPrefix("sample"));
    }

    public IReadOnlyDictionary<string, string> Environment(IReadOnlyDictionary<string, string>? extra = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = connectionString,
            ["S3__ServiceUrl"] = s3.ServiceUrl.ToString(),
            ["S3__Bucket"] = s3.BucketName,
            ["S3__KeyPrefix"] = keyPrefix,
            ["S3__AccessKey"] = s3.AccessKey,
            ["S3__SecretKey"] = s3.SecretKey,
            ["Port"] = "0",
            ["ImageDedup__OrphanGracePeriod"] = OrphanGracePeriod.ToString("c"),
            ["ImageDedup__IngestWriteTimeout"] = "00:00:05",
            ["Cleanup__Interval"] = "00:00:01",
            ["Cleanup__Jitter"] = "0",
            ["Cleanup__ReconcileInterval"] = "00:00:02",
            ["Logging__LogLevel__ImageDedup.SampleApi"] = "Information",
            ["Admin__Token"] = AdminToken,
        };
        foreach (var (name, value) in extra ?? new Dictionary<string, string>())
        {
            environment[name] = value;
        }

        return environment;
    }

    /// <summary>Starts the web app on a free loopback port and waits until it listens.</summary>
    public async Task<SampleApp> StartAppAsync(IReadOnlyDictionary<string, string>? extra = null)
    {
        var process = SampleProcess.Start(Environment(extra));
        try
        {
            var listening = await process.WaitForLineAsync(Listening(), TimeSpan.FromSeconds(60));
            return new SampleApp(process, new Uri(listening.Groups["url"].Value));
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs <c>backfill</c> to its end.</summary>
    public async Task<(int ExitCode, string Output)> BackfillAsync(params string[] arguments)
    {
        await using var process = StartBackfill(arguments);
        var exit = await process.WaitForExitAsync(TimeSpan.FromMinutes(3));
        return (exit, process.Output);
    }

    public SampleProcess StartBackfill(params string[] arguments) => SampleProcess.Start(Environment(), ["backfill", .. arguments]);

    /// <summary>The app's catalogue, opened by another client (an operator's tool, say).</summary>
    public ServiceProvider OpenCatalogue()
    {
        var services = new ServiceCollection();
        services.AddImageDedup().UsePostgres(connectionString).UseS3(o =>
        {
            o.BucketName = s3.BucketName;
            o.KeyPrefix = keyPrefix;
            o.ServiceUrl = s3.ServiceUrl;
            o.ForcePathStyle = true;
            o.AccessKey = s3.AccessKey;
            o.SecretKey = s3.SecretKey;
        });
        return services.BuildServiceProvider();
    }

    public NpgsqlDataSource OpenDataSource() => NpgsqlDataSource.Create(connectionString);

    public AmazonS3Client S3Client() => Client(s3);

    private static AmazonS3Client Client(S3TestServer server)
        => new(server.AccessKey, server.SecretKey, new AmazonS3Config { ServiceURL = server.ServiceUrl.ToString(), ForcePathStyle = true });

    [GeneratedRegex(@"Now listening on: (?<url>http://127\.0\.0\.1:\d+)")]
    private static partial Regex Listening();
}
