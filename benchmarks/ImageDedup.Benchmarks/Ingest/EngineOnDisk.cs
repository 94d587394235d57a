using ImageDedup.Benchmarks.Content;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace ImageDedup.Benchmarks.Ingest;

/// <summary>
/// The engine as a host builds it — <c>AddImageDedup().UseSqlite(...).UseFileSystem(...)</c> — with
/// its database and blob root in a scratch directory, at the stores' default durability.
/// </summary>
public sealed class EngineOnDisk : IDisposable
{
    private readonly ServiceProvider _provider;

    public EngineOnDisk(ScratchDirectory scratch)
    {
        DatabasePath = scratch.File("dedup.db");
        BlobRoot = scratch.File("blobs");
        Directory.CreateDirectory(BlobRoot);
        ConnectionString = new SqliteConnectionStringBuilder { DataSource = DatabasePath }.ToString();

        var services = new ServiceCollection();
        services.AddImageDedup().UseSqlite(ConnectionString).UseFileSystem(BlobRoot);
        _provider = services.BuildServiceProvider();
        Engine = _provider.GetRequiredService<IImageDedup>();
    }

    public IImageDedup Engine { get; }

    public string DatabasePath { get; }

    public string ConnectionString { get; }

    public string BlobRoot { get; }

    /// <summary>Where an original's blob lives: the same sharding as the engine's keys (sha256/ab/cd/...).</summary>
    public string ShardDirectory(ContentDigest digest)
        => Path.Combine(BlobRoot, digest.Algorithm, digest.Hex[..2], digest.Hex[2..4]);

    public void Dispose()
    {
        _provider.Dispose();
        SqliteConnection.ClearAllPools();
    }
}
