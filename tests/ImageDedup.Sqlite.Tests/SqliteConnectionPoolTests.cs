using ImageDedup.Storage;
using ImageDedup.Testing.Content;
using Microsoft.Data.Sqlite;

namespace ImageDedup.Sqlite.Tests;

/// <summary>
/// The store keeps its connections open with their compiled statements (<see cref="SqliteConnectionPool"/>):
/// what a kept connection must never carry from one operation into the next.
/// </summary>
public sealed class SqliteConnectionPoolTests : IDisposable
{
    private readonly SqliteTestDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task No_operation_leaves_a_read_snapshot_or_a_transaction_on_a_kept_connection()
    {
        await using var store = _database.CreateStore();
        var original = await CreateLiveAsync(store, "pool", "pool/1");

        // Every kind of statement the store runs, twice, so the second run is a cached command's.
        for (var round = 0; round < 2; round++)
        {
            Assert.NotNull(await store.GetAsync(original.Id));
            Assert.NotNull(await store.FindLiveAsync("pool", original.Digest));
            Assert.NotNull(await store.FindByHolderAsync("pool", "pool/1"));
            Assert.Single((await store.ListHoldersAsync(original.Id, null, 10)).Items);
            _ = await store.GetStatisticsAsync("pool");
            await store.AddReferenceAsync("pool", $"pool/extra-{round}", original.Id, claimIfOrphaned: false);
            Assert.NotNull((await store.ReleaseAsync("pool", $"pool/extra-{round}", claimIfOrphaned: false)).Original);

            // A statement left un-reset keeps a read transaction, and its WAL snapshot, open: a
            // truncating checkpoint would then report itself blocked, and a writer elsewhere could
            // never see the file shrink. A transaction left open would fail the BEGIN IMMEDIATE.
            await AssertNothingHeldAsync();
        }
    }

    [Fact]
    public async Task An_operation_that_fails_inside_its_transaction_leaves_the_store_and_the_file_usable()
    {
        await using var store = _database.CreateStore();
        var original = await CreateLiveAsync(store, "pool", "pool/1");
        await store.BlockAsync("pool", original.Digest, "tests", "refused on purpose");

        for (var i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<BlockedContentException>(() => store.AddReferenceAsync("pool", $"pool/refused-{i}", original.Id, claimIfOrphaned: false));
            await Assert.ThrowsAsync<OriginalNotFoundException>(() => store.AddReferenceAsync("pool", "pool/x", Guid.NewGuid(), claimIfOrphaned: false));
            await AssertNothingHeldAsync();
        }

        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.ReleaseAsync("pool", "pool/1", claimIfOrphaned: false, cancellationToken: cancelled.Token));
        await AssertNothingHeldAsync();

        Assert.Equal(1, (await store.FindByHolderAsync("pool", "pool/1"))!.ReferenceCount);
        Assert.Null(await store.FindByHolderAsync("pool", "pool/refused-0"));
    }

    [Fact]
    public async Task Statements_compiled_before_another_connection_changes_the_schema_still_run()
    {
        await using var store = _database.CreateStore();
        var first = await CreateLiveAsync(store, "pool", "pool/1");

        // SQLite recompiles a statement whose schema changed (SQLITE_SCHEMA); a host adding its own
        // index or table to the same file must not break the store's kept statements.
        await _database.ScalarAsync("CREATE TABLE host_table (id INTEGER PRIMARY KEY);");
        await _database.ScalarAsync("CREATE INDEX host_index ON \"imagededup_originals\" (created_at);");
        var second = await CreateLiveAsync(store, "pool", "pool/2");
        await store.AddReferenceAsync("pool", "pool/3", first.Id, claimIfOrphaned: false);
        await _database.ScalarAsync("DROP INDEX host_index;");
        Assert.NotNull((await store.ReleaseAsync("pool", "pool/3", claimIfOrphaned: false)).Original);

        var statistics = await store.GetStatisticsAsync("pool");
        Assert.Equal(2, statistics.UniqueOriginals);
        Assert.Equal(2, statistics.References);
        Assert.Equal(second.Id, (await store.FindByHolderAsync("pool", "pool/2"))!.Id);
    }

    [Fact]
    public async Task Concurrent_operations_on_one_store_each_get_a_connection_of_their_own()
    {
        await using var store = _database.CreateStore();
        var original = await CreateLiveAsync(store, "pool", "pool/keeper");

        // More at once than the pool keeps idle: the extra connections are opened, then closed on return.
        var count = SqliteConnectionPool.MaxIdle * 4;
        await Task.WhenAll(Enumerable.Range(0, count).Select(i => Task.Run(async () =>
        {
            await store.AddReferenceAsync("pool", $"pool/c-{i}", original.Id, claimIfOrphaned: false);
            Assert.NotNull(await store.FindByHolderAsync("pool", $"pool/c-{i}"));
        })));

        Assert.Equal(count + 1, (await store.GetAsync(original.Id))!.ReferenceCount);
        Assert.Equal(count + 1, (await store.GetStatisticsAsync("pool")).References);
        await AssertNothingHeldAsync();
    }

    [Fact]
    public async Task A_disposed_store_refuses_new_work_with_ObjectDisposedException()
    {
        var store = _database.CreateStore();
        var original = await CreateLiveAsync(store, "pool", "pool/1");
        await store.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.GetAsync(original.Id));
    }

    private async Task AssertNothingHeldAsync()
    {
        await using var other = new SqliteConnection(_database.ConnectionString + ";Default Timeout=1;Pooling=False");
        await other.OpenAsync();
        await using (var begin = other.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE;";
            await begin.ExecuteNonQueryAsync(); // SQLITE_BUSY after 1 s if a kept connection holds a write transaction
            begin.CommandText = "COMMIT;";
            await begin.ExecuteNonQueryAsync();
        }

        await using var checkpoint = other.CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
        await using var reader = await checkpoint.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(0L, reader.GetInt64(0)); // busy: 1 when a reader's snapshot kept the checkpoint from finishing
    }

    private static async Task<Original> CreateLiveAsync(SqliteReferenceStore store, string scope, string holder)
    {
        var digest = TestImages.DigestOf(TestImages.UniquePng(64));
        var original = new NewOriginal(Guid.NewGuid(), scope, digest, 64, "image/png", $"sha256/{digest.Hex}.1");
        await store.InsertPendingAsync(original);
        return (await store.PromoteAsync(original.Id, holder, claimIfOrphaned: false)).Original;
    }
}
