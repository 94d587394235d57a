using ImageDedup.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace ImageDedup.S3.Tests;

/// <summary>A migrated SQLite reference store in a temp file, deleted on dispose.</summary>
internal sealed class SqliteFile : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    private SqliteFile(string path, ServiceProvider provider, IReferenceStore store)
    {
        Path = path;
        _provider = provider;
        Store = store;
    }

    public string Path { get; }

    public IReferenceStore Store { get; }

    public static async Task<SqliteFile> CreateAsync()
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"imagededup-s3-tests-{Guid.NewGuid():N}.db");
        var services = new ServiceCollection();
        services.AddImageDedup().UseSqlite(new SqliteConnectionStringBuilder { DataSource = path }.ToString());
        var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<IReferenceStore>();
        await store.MigrateAsync();
        return new SqliteFile(path, provider, store);
    }

    public async ValueTask DisposeAsync()
    {
        await _provider.DisposeAsync();
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { string.Empty, "-wal", "-shm", "-journal" })
        {
            File.Delete(Path + suffix);
        }
    }
}
