using ImageDedup.Storage;
using ImageDedup.Testing.Content;
using ImageDedup.Testing.Engine;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ImageDedup.Sqlite.Tests;

/// <summary>
/// The engine on SQLite where SQLite is what matters: host transactions on the host's own
/// connection, a release of ten thousand holders, and two engines (two store instances) on one file.
/// </summary>
public sealed class SqliteEngineTests : IAsyncLifetime
{
    private readonly SqliteTestDatabase _database = new();
    private readonly string _blobRoot = Directory.CreateTempSubdirectory("imagededup-sqlite-engine-").FullName;
    private readonly List<ServiceProvider> _providers = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }

        _database.Dispose();
        Directory.Delete(_blobRoot, recursive: true);
    }

    [Fact]
    public async Task The_hosts_row_and_its_reference_commit_together()
    {
        var engine = CreateEngine();
        var stored = await engine.DefaultScope.IngestAsync(new MemoryStream(TestImages.UniquePng()));
        await using var connection = await OpenHostAsync();

        await using (var transaction = (SqliteTransaction)await connection.BeginTransactionAsync())
        {
            await InsertImageRowAsync(connection, transaction, 1, stored.Original.Id);
            await engine.DefaultScope.AddReferenceAsync(stored.Original.Id, "images/1", transaction);
            await transaction.CommitAsync();
        }

        Assert.Equal(1L, await CountImageRowsAsync(connection));
        Assert.Equal(1, (await engine.DefaultScope.GetAsync(stored.Original.Id))!.ReferenceCount);
    }

    [Fact]
    public async Task A_rolled_back_host_transaction_leaves_neither_row_nor_reference()
    {
        var engine = CreateEngine();
        var stored = await engine.DefaultScope.IngestAsync(new MemoryStream(TestImages.UniquePng()));
        await using var connection = await OpenHostAsync();

        await using (var transaction = (SqliteTransaction)await connection.BeginTransactionAsync())
        {
            await InsertImageRowAsync(connection, transaction, 1, stored.Original.Id);
            await engine.DefaultScope.AddReferenceAsync(stored.Original.Id, "images/1", transaction);
            await transaction.RollbackAsync();
        }

        Assert.Equal(0L, await CountImageRowsAsync(connection));
        Assert.Null(await engine.DefaultScope.FindByHolderAsync("images/1"));
        Assert.Equal(0, (await engine.DefaultScope.GetAsync(stored.Original.Id))!.ReferenceCount);
    }

    [Fact]
    public async Task A_release_inside_a_host_transaction_never_deletes_bytes_before_the_commit()
    {
        var engine = CreateEngine(o => o.OrphanGracePeriod = TimeSpan.Zero);
        var stored = await engine.DefaultScope.IngestAsync(new MemoryStream(TestImages.UniquePng()), new IngestRequest { Holder = "images/1" });
        await using var connection = await OpenHostAsync();

        // Rolled back: the reference is still there and so are the bytes.
        await using (var transaction = (SqliteTransaction)await connection.BeginTransactionAsync())
        {
            var release = await engine.DefaultScope.ReleaseAsync("images/1", transaction);
            Assert.True(release.Released);
            Assert.False(release.OriginalDeleted);
            await transaction.RollbackAsync();
        }

        Assert.NotNull(await engine.DefaultScope.FindByHolderAsync("images/1"));
        Assert.NotNull(await BlobOf(stored.Original));

        // Committed: only an orphan is recorded; garbage collection deletes it afterwards.
        await using (var transaction = (SqliteTransaction)await connection.BeginTransactionAsync())
        {
            await engine.DefaultScope.ReleaseAsync("images/1", transaction);
            await transaction.CommitAsync();
        }

        Assert.NotNull(await BlobOf(stored.Original));
        Assert.Equal(1, (await engine.CollectGarbageAsync()).OriginalsDeleted);
        Assert.Null(await BlobOf(stored.Original));
    }

    [Fact]
    public async Task Ten_thousand_holders_under_one_prefix_release_in_bounded_batches()
    {
        const int holders = 10_000;
        var references = _database.CreateStore();
        var counted = StoreFaults.Count(references);
        var engine = CreateEngine(o => o.PrefixReleaseBatchSize = 500, counted.Store);
        var original = (await engine.DefaultScope.IngestAsync(new MemoryStream(TestImages.UniquePng()), new IngestRequest { Holder = "keep/1" })).Original;
        await using (var connection = await OpenHostAsync())
        await using (var transaction = (SqliteTransaction)await connection.BeginTransactionAsync())
        {
            for (var i = 0; i < holders; i++)
            {
                await engine.DefaultScope.AddReferenceAsync(original.Id, $"projects/7/images/{i}", transaction);
            }

            await transaction.CommitAsync();
        }

        var result = await engine.DefaultScope.ReleasePrefixAsync("projects/7");

        Assert.Equal(holders, result.ReferencesReleased);
        Assert.Equal(0, result.OriginalsDeleted);
        Assert.Equal((holders / 500) + 1, counted.Probe.Calls[nameof(IReferenceStore.ReleasePrefixBatchAsync)]);
        Assert.Equal(1, (await engine.DefaultScope.GetAsync(original.Id))!.ReferenceCount);
    }

    [Fact]
    public async Task Two_engines_on_one_file_collect_every_orphan_exactly_once()
    {
        var setup = CreateEngine();
        for (var i = 0; i < 30; i++)
        {
            await setup.DefaultScope.IngestAsync(new MemoryStream(TestImages.UniquePng(300 + i)));
        }

        var first = CreateEngine(o => { o.OrphanGracePeriod = TimeSpan.Zero; o.GarbageCollectionBatchSize = 4; }, _database.CreateStore());
        var second = CreateEngine(o => { o.OrphanGracePeriod = TimeSpan.Zero; o.GarbageCollectionBatchSize = 4; }, _database.CreateStore());

        var results = await Task.WhenAll(
            Task.Run(() => first.CollectGarbageAsync()),
            Task.Run(() => second.CollectGarbageAsync()));

        Assert.Equal(30, results.Sum(r => r.OriginalsDeleted));
        Assert.Equal(0L, await _database.ScalarAsync("SELECT COUNT(*) FROM \"imagededup_originals\""));
        Assert.DoesNotContain(Directory.EnumerateFiles(_blobRoot, "*", SearchOption.AllDirectories), f => !f.Contains(".staging", StringComparison.Ordinal) && !f.Contains(".imagededup", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Background_clean_up_on_two_app_instances_collects_every_orphan_once()
    {
        var setup = CreateEngine();
        for (var i = 0; i < 25; i++)
        {
            await setup.DefaultScope.IngestAsync(new MemoryStream(TestImages.UniquePng(400 + i)));
        }

        using var first = StartHost();
        using var second = StartHost();
        await first.StartAsync();
        await second.StartAsync();

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((long)(await _database.ScalarAsync("SELECT COUNT(*) FROM \"imagededup_originals\""))! > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        await first.StopAsync();
        await second.StopAsync();
        Assert.Equal(0L, await _database.ScalarAsync("SELECT COUNT(*) FROM \"imagededup_originals\""));

        IHost StartHost()
        {
            var builder = Host.CreateApplicationBuilder();
            builder.Services.AddImageDedup(o => { o.OrphanGracePeriod = TimeSpan.Zero; o.GarbageCollectionBatchSize = 3; })
                .UseSqlite(_database.ConnectionString)
                .UseFileSystem(_blobRoot)
                .AddBackgroundCleanup(o => { o.Interval = TimeSpan.FromMilliseconds(50); o.ReconcileInterval = TimeSpan.FromMilliseconds(200); });
            return builder.Build();
        }
    }

    [Fact]
    public async Task Background_clean_up_options_are_validated_at_start()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddImageDedup().UseSqlite(_database.ConnectionString).UseFileSystem(_blobRoot)
            .AddBackgroundCleanup(o => o.Jitter = 3);
        using var host = builder.Build();

        var ex = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("Jitter", ex.Message, StringComparison.Ordinal);
    }

    private IImageDedup CreateEngine(Action<ImageDedupOptions>? configure = null, IReferenceStore? references = null)
    {
        var services = new ServiceCollection();
        var builder = services.AddImageDedup(o => configure?.Invoke(o)).UseFileSystem(_blobRoot);
        if (references is null)
        {
            builder.UseSqlite(_database.ConnectionString);
        }
        else
        {
            services.AddSingleton(references);
        }

        var provider = services.BuildServiceProvider();
        _providers.Add(provider);
        return provider.GetRequiredService<IImageDedup>();
    }

    private async Task<string?> BlobOf(Original original)
    {
        var path = Path.Combine(_blobRoot, original.StorageKey);
        await Task.Yield();
        return File.Exists(path) ? path : null;
    }

    private async Task<SqliteConnection> OpenHostAsync()
    {
        // The schema must exist before a host transaction takes the write lock.
        await _database.CreateStore().MigrateAsync();
        var connection = await _database.OpenAsync();
        await using var create = connection.CreateCommand();
        create.CommandText = "CREATE TABLE IF NOT EXISTS images (id INTEGER PRIMARY KEY, original_image_id TEXT NOT NULL);";
        await create.ExecuteNonQueryAsync();
        return connection;
    }

    private static async Task InsertImageRowAsync(SqliteConnection connection, SqliteTransaction transaction, int id, Guid originalId)
    {
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO images (id, original_image_id) VALUES ($id, $original);";
        insert.Parameters.AddWithValue("$id", id);
        insert.Parameters.AddWithValue("$original", originalId.ToString());
        await insert.ExecuteNonQueryAsync();
    }

    private static async Task<long> CountImageRowsAsync(SqliteConnection connection)
    {
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM images;";
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
