using ImageDedup.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace ImageDedup.ProcessHost;

/// <summary>
/// A reference store and a blob store, named by environment variables so a test and its child
/// processes open exactly the same stores: <c>sqlite-fs</c> (SQLite file + file-system root) or
/// <c>postgres-s3</c> (PostgreSQL schema + S3 key prefix).
/// </summary>
public static class ProviderPair
{
    public const string Kind = "IMAGEDEDUP_PAIR";
    public const string SqliteConnection = "IMAGEDEDUP_PAIR_SQLITE";
    public const string BlobRoot = "IMAGEDEDUP_PAIR_BLOB_ROOT";
    public const string PostgresConnection = "IMAGEDEDUP_PAIR_POSTGRES";
    public const string PostgresSchema = "IMAGEDEDUP_PAIR_POSTGRES_SCHEMA";
    public const string S3Url = "IMAGEDEDUP_PAIR_S3_URL";
    public const string S3AccessKey = "IMAGEDEDUP_PAIR_S3_ACCESS_KEY";
    public const string S3SecretKey = "IMAGEDEDUP_PAIR_S3_SECRET_KEY";
    public const string S3Bucket = "IMAGEDEDUP_PAIR_S3_BUCKET";
    public const string S3Prefix = "IMAGEDEDUP_PAIR_S3_PREFIX";

    /// <summary>Registers the pair's stores on <paramref name="builder"/> from <paramref name="settings"/>.</summary>
    public static IImageDedupBuilder UsePair(this IImageDedupBuilder builder, IReadOnlyDictionary<string, string> settings)
    {
        switch (settings[Kind])
        {
            case "sqlite-fs":
                return builder.UseSqlite(settings[SqliteConnection]).UseFileSystem(settings[BlobRoot]);
            case "postgres-s3":
                return builder
                    .UsePostgres(o =>
                    {
                        o.ConnectionString = settings[PostgresConnection];
                        o.Schema = settings[PostgresSchema];
                    })
                    .UseS3(o =>
                    {
                        o.ServiceUrl = new Uri(settings[S3Url]);
                        o.ForcePathStyle = true;
                        o.AccessKey = settings[S3AccessKey];
                        o.SecretKey = settings[S3SecretKey];
                        o.BucketName = settings[S3Bucket];
                        o.KeyPrefix = settings[S3Prefix];
                    });
            default:
                throw new ArgumentException($"Unknown provider pair '{settings[Kind]}'.", nameof(settings));
        }
    }

    /// <summary>The pair settings from this process's environment.</summary>
    public static IReadOnlyDictionary<string, string> FromEnvironment()
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in new[] { Kind, SqliteConnection, BlobRoot, PostgresConnection, PostgresSchema, S3Url, S3AccessKey, S3SecretKey, S3Bucket, S3Prefix })
        {
            if (Environment.GetEnvironmentVariable(name) is { } value)
            {
                settings[name] = value;
            }
        }

        return settings;
    }

    /// <summary>Builds an engine (and its stores) on the pair; dispose the provider when done.</summary>
    public static ServiceProvider Build(IReadOnlyDictionary<string, string> settings, Action<ImageDedupOptions>? configure = null, Func<IReferenceStore, IReferenceStore>? wrapReferences = null)
    {
        var services = new ServiceCollection();
        services.AddImageDedup(o => configure?.Invoke(o)).UsePair(settings);
        if (wrapReferences is not null)
        {
            var registered = services.Last(d => d.ServiceType == typeof(IReferenceStore));
            services.Remove(registered);
            services.AddSingleton(sp => wrapReferences((IReferenceStore)(registered.ImplementationFactory?.Invoke(sp)
                ?? ActivatorUtilities.CreateInstance(sp, registered.ImplementationType!))));
        }

        return services.BuildServiceProvider();
    }
}
