using Amazon.S3;
using Amazon.S3.Model;
using ImageDedup.Testing.Servers;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace ImageDedup.AspNetCore.Tests;

/// <summary>The stores a test site runs on, fresh and empty, with a spool directory of their own.</summary>
public abstract class Backend : IDisposable
{
    protected Backend()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("imagededup-aspnetcore-").FullName;
        SpoolDirectory = System.IO.Directory.CreateDirectory(Path.Combine(Directory, "spool")).FullName;
    }

    /// <summary>A temp directory deleted on dispose.</summary>
    public string Directory { get; }

    /// <summary>Where the engine spools non-seekable uploads; must be empty after every upload.</summary>
    public string SpoolDirectory { get; }

    public abstract void Use(IImageDedupBuilder builder);

    /// <summary>A connection of the host's own to the reference store's database, and the name of its table there.</summary>
    public abstract (System.Data.Common.DbConnection Connection, string Table) HostDatabase();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        System.IO.Directory.Delete(Directory, recursive: true);
        GC.SuppressFinalize(this);
    }
}

public sealed class SqliteFileSystemBackend : Backend
{
    private string ConnectionString => new SqliteConnectionStringBuilder { DataSource = Path.Combine(Directory, "catalogue.db"), DefaultTimeout = 60 }.ToString();

    public override void Use(IImageDedupBuilder builder) => builder
        .UseSqlite(ConnectionString)
        .UseFileSystem(Path.Combine(Directory, "blobs"));

    public override (System.Data.Common.DbConnection Connection, string Table) HostDatabase() => (new SqliteConnection(ConnectionString), "host_photos");
}

public sealed class PostgresS3Backend : Backend
{
    private readonly string _connectionString;
    private readonly S3TestServer _s3;
    private readonly string _schema = PostgresDatabase.NewSchemaName();
    private readonly string _prefix = S3TestServer.NewPrefix("aspnetcore");

    private PostgresS3Backend(string connectionString, S3TestServer s3)
    {
        _connectionString = connectionString;
        _s3 = s3;
    }

    public static async Task<PostgresS3Backend> CreateAsync(PostgresDatabase database)
    {
        var server = await S3TestServer.GetAsync();
        if (server.BucketMayBeMissing)
        {
            using var client = new AmazonS3Client(server.AccessKey, server.SecretKey, new AmazonS3Config { ServiceURL = server.ServiceUrl.ToString(), ForcePathStyle = true });
            try
            {
                await client.PutBucketAsync(new PutBucketRequest { BucketName = server.BucketName });
            }
            catch (AmazonS3Exception ex) when (ex.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
            {
            }
        }

        return new PostgresS3Backend(database.ConnectionString, server);
    }

    public override (System.Data.Common.DbConnection Connection, string Table) HostDatabase() => (new Npgsql.NpgsqlConnection(_connectionString), "host_photos_" + _schema);

    public override void Use(IImageDedupBuilder builder) => builder
        .UsePostgres(o =>
        {
            o.ConnectionString = _connectionString;
            o.Schema = _schema;
        })
        .UseS3(o =>
        {
            o.BucketName = _s3.BucketName;
            o.KeyPrefix = _prefix;
            o.ServiceUrl = _s3.ServiceUrl;
            o.ForcePathStyle = true;
            o.AccessKey = _s3.AccessKey;
            o.SecretKey = _s3.SecretKey;
        });
}
