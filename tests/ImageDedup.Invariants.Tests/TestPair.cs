using ImageDedup.ProcessHost;
using ImageDedup.Testing.Servers;
using ImageDedup.Testing.Stores;
using Microsoft.Data.Sqlite;

namespace ImageDedup.Invariants.Tests;

/// <summary>Fresh, empty stores of one provider pair, described by the settings a child process reads.</summary>
public sealed class TestPair : IDisposable
{
    private readonly string? _directory;

    private TestPair(string name, Dictionary<string, string> settings, string? directory)
    {
        Name = name;
        Settings = settings;
        _directory = directory;
    }

    public string Name { get; }

    public IReadOnlyDictionary<string, string> Settings { get; }

    public static TestPair SqliteFileSystem()
    {
        var directory = Directory.CreateTempSubdirectory("imagededup-invariants-").FullName;
        return new TestPair("sqlite-fs", new Dictionary<string, string>
        {
            [ProviderPair.Kind] = "sqlite-fs",
            [ProviderPair.SqliteConnection] = new SqliteConnectionStringBuilder { DataSource = Path.Combine(directory, "catalogue.db"), DefaultTimeout = 60 }.ToString(),
            [ProviderPair.BlobRoot] = Path.Combine(directory, "blobs"),
        }, directory);
    }

    public static async Task<TestPair> PostgresS3Async(PostgresDatabase database)
    {
        var server = await S3StoreFactory.ServerAsync();
        return new TestPair("postgres-s3", new Dictionary<string, string>
        {
            [ProviderPair.Kind] = "postgres-s3",
            [ProviderPair.PostgresConnection] = database.ConnectionString,
            [ProviderPair.PostgresSchema] = PostgresDatabase.NewSchemaName(),
            [ProviderPair.S3Url] = server.ServiceUrl.ToString(),
            [ProviderPair.S3AccessKey] = server.AccessKey,
            [ProviderPair.S3SecretKey] = server.SecretKey,
            [ProviderPair.S3Bucket] = server.BucketName,
            [ProviderPair.S3Prefix] = S3TestServer.NewPrefix("invariants"),
        }, null);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (_directory is not null && Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
