using ImageDedup.Shared;
using ImageDedup.Testing;
using System.Globalization;
using ImageDedup.Storage;
using ImageDedup.Testing.Content;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ImageDedup.Sqlite.Tests;

/// <summary>What only the SQLite store promises: pragmas, migrations, the write lock, registration.</summary>
public sealed class SqliteReferenceStoreTests : IDisposable
{
    private readonly SqliteTestDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task Store_connections_run_WAL_with_synchronous_FULL_foreign_keys_and_a_busy_timeout()
    {
        var store = _database.CreateStore();
        await store.MigrateAsync();

        await using var connection = await store.Connections.OpenAsync(CancellationToken.None);
        Assert.Equal("wal", await PragmaAsync(connection, "journal_mode"));
        Assert.Equal(2L, await PragmaAsync(connection, "synchronous"));
        Assert.Equal(1L, await PragmaAsync(connection, "foreign_keys"));
        Assert.Equal(30_000L, await PragmaAsync(connection, "busy_timeout"));

        // WAL is a property of the file: any later connection sees it.
        Assert.Equal("wal", await _database.ScalarAsync("PRAGMA journal_mode;"));
    }

    [Fact]
    public async Task Busy_timeout_follows_the_connection_string_default_timeout()
    {
        var store = new SqliteReferenceStore(new SqliteReferenceStoreOptions { ConnectionString = _database.ConnectionString + ";Default Timeout=7" });

        await using var connection = await store.Connections.OpenAsync(CancellationToken.None);
        Assert.Equal(7_000L, await PragmaAsync(connection, "busy_timeout"));
    }

    [Fact]
    public async Task Write_transactions_take_the_write_lock_at_begin()
    {
        var store = _database.CreateStore();
        await store.MigrateAsync();
        await using var holder = await store.Connections.OpenAsync(CancellationToken.None);
        await using var transaction = holder.BeginTransaction(deferred: false); // what the store uses

        // Another connection cannot start a write while the first only began (it gives up after 1 s).
        // One statement per command: a batch would hide the SQLITE_BUSY of its second statement.
        await using var other = new SqliteConnection(_database.ConnectionString + ";Default Timeout=1");
        await other.OpenAsync();
        await using var command = other.CreateCommand();
        command.CommandText = "BEGIN IMMEDIATE;";
        var error = await Assert.ThrowsAsync<SqliteException>(() => command.ExecuteNonQueryAsync());
        Assert.Equal(5, error.SqliteErrorCode); // SQLITE_BUSY
    }

    [Fact]
    public async Task Migration_is_applied_once_and_its_version_recorded()
    {
        var store = _database.CreateStore();
        await store.MigrateAsync();
        await store.MigrateAsync();
        await _database.CreateStore().MigrateAsync();

        Assert.Equal((long)SqliteSchemaMigrator.LatestVersion, await _database.ScalarAsync("SELECT COUNT(*) FROM \"imagededup_schema_version\";"));
        Assert.Equal((long)SqliteSchemaMigrator.LatestVersion, await _database.ScalarAsync("SELECT MAX(version) FROM \"imagededup_schema_version\";"));
        Assert.Equal(1L, await _database.ScalarAsync("SELECT COUNT(*) FROM sqlite_master WHERE name = 'imagededup_originals';"));
        Assert.Equal(1L, await _database.ScalarAsync("SELECT COUNT(*) FROM sqlite_master WHERE name = 'imagededup_references';"));
    }

    [Fact]
    public async Task Table_prefix_names_every_table()
    {
        var store = _database.CreateStore(prefix: "Tenant_42_");
        await store.MigrateAsync();

        Assert.Equal(7L, await _database.ScalarAsync("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name LIKE 'Tenant\\_42\\_%' ESCAPE '\\';"));
        Assert.Equal(0L, await _database.ScalarAsync("SELECT COUNT(*) FROM sqlite_master WHERE name LIKE 'imagededup%';"));
    }

    [Fact]
    public async Task First_use_migrates_lazily_unless_auto_migrate_is_off()
    {
        var manual = _database.CreateStore(autoMigrate: false);
        await Assert.ThrowsAsync<SqliteException>(() => manual.GetStatisticsAsync(null));

        var automatic = _database.CreateStore();
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => automatic.GetStatisticsAsync(null)));

        Assert.All(results, s => Assert.Equal(0, s.UniqueOriginals));
        Assert.Equal((long)SqliteSchemaMigrator.LatestVersion, await _database.ScalarAsync("SELECT COUNT(*) FROM \"imagededup_schema_version\";"));
    }

    [Fact]
    public async Task Store_instances_migrating_one_file_at_once_apply_the_schema_once()
    {
        var stores = Enumerable.Range(0, 6).Select(_ => _database.CreateStore()).ToList();

        await Task.WhenAll(stores.Select(s => Task.Run(() => s.MigrateAsync())));

        Assert.Equal((long)SqliteSchemaMigrator.LatestVersion, await _database.ScalarAsync("SELECT COUNT(*) FROM \"imagededup_schema_version\";"));
    }

    [Fact]
    public async Task Downgrade_script_removes_everything_the_install_script_created()
    {
        var store = _database.CreateStore();
        await store.MigrateAsync();
        // Newest first, as the scripts say.
        for (var version = SqliteSchemaMigrator.LatestVersion; version >= 1; version--)
        {
            var script = File.ReadAllText(Path.Combine(RepositoryRoot.Find(), "src", "ImageDedup.Sqlite", "Migrations", $"Uninstall.v{version}.sql"))
                .Replace("{prefix}", "imagededup_", StringComparison.Ordinal);

            await using var connection = await _database.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = script;
            await command.ExecuteNonQueryAsync();
        }

        Assert.Equal(0L, await _database.ScalarAsync("SELECT COUNT(*) FROM sqlite_master WHERE name LIKE 'imagededup%';"));
    }

    [Fact]
    public async Task Prefix_release_is_an_index_range_scan()
    {
        var store = _database.CreateStore();
        await store.MigrateAsync();
        var select = store.Statements.DeletePrefixRange;
        var inner = select[(select.IndexOf("SELECT", StringComparison.Ordinal))..select.LastIndexOf(')')];

        await using var connection = await _database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + inner;
        command.Parameters.AddWithValue("@scope", "s");
        command.Parameters.AddWithValue("@prefix", "projects/7/");
        command.Parameters.AddWithValue("@upper", "projects/70");
        command.Parameters.AddWithValue("@limit", 10);
        var plan = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(3));
            }
        }

        Assert.Contains(plan, step => step.Contains("SEARCH", StringComparison.Ordinal) && step.Contains("holder>? AND holder<?", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.StartsWith("SCAN", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("projects/7/", "projects/70")]
    [InlineData("a%", "a&")]
    [InlineData("x_", "x`")]
    public void Upper_bound_increments_the_last_character(string prefix, string upper)
        => Assert.Equal(upper, HolderRange.UpperBound(prefix));

    [Fact]
    public async Task Prefix_without_a_safe_successor_still_matches_literally()
    {
        var store = _database.CreateStore();
        var live = await CreateLiveAsync(store, "s", "p\uffff/1");
        await store.AddReferenceAsync("s", "p\uffff", live.Id, false);
        await store.AddReferenceAsync("s", "q", live.Id, false);

        Assert.Null(HolderRange.UpperBound("p\uffff"));
        var batch = await store.ReleasePrefixBatchAsync("s", "p\uffff", 10, false);

        Assert.Equal(2, batch.Released);
        Assert.Equal(live.Id, (await store.FindByHolderAsync("s", "q"))?.Id);
    }

    [Fact]
    public async Task Concurrent_writers_on_several_store_instances_keep_exact_counts()
    {
        var stores = Enumerable.Range(0, 3).Select(_ => _database.CreateStore()).ToList();
        var live = await CreateLiveAsync(stores[0], "s", "base");
        const int tasksPerStore = 6;
        const int iterations = 15;

        await Task.WhenAll(stores.SelectMany((store, s) => Enumerable.Range(0, tasksPerStore).Select(t => Task.Run(async () =>
        {
            for (var i = 0; i < iterations; i++)
            {
                var holder = $"s{s}/t{t}/{i}";
                await store.AddReferenceAsync("s", holder, live.Id, claimIfOrphaned: true);
                if (i % 3 != 0)
                {
                    await store.ReleaseAsync("s", holder, claimIfOrphaned: true);
                }
            }
        }))));

        var expected = 1 + (stores.Count * tasksPerStore * Enumerable.Range(0, iterations).Count(i => i % 3 == 0));
        Assert.Equal(expected, (await stores[0].GetAsync(live.Id))!.ReferenceCount);
        await AssertEveryCountMatchesItsReferencesAsync();
    }

    [Fact]
    public async Task Concurrent_writers_in_several_processes_keep_exact_counts()
    {
        var store = _database.CreateStore();
        var live = await CreateLiveAsync(store, "s", "base");
        const int processes = 3;
        const int iterations = 40;

        var runs = Enumerable.Range(0, processes)
            .Select(p => ProcessHostRunner.RunAsync("sqlite-hammer", _database.ConnectionString, "s", live.Id.ToString(), $"p{p}", iterations.ToString(CultureInfo.InvariantCulture)))
            .ToList();
        var results = await Task.WhenAll(runs);

        Assert.All(results, r => Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}\n{r.Output}\n{r.Error}"));
        Assert.All(results, r => Assert.DoesNotContain("SQLITE_BUSY", r.Error, StringComparison.Ordinal));
        var ownPerProcess = Enumerable.Range(0, iterations).Count(i => i % 3 == 0);
        var expected = 1 + (processes * ownPerProcess) + Math.Min(iterations, 5);
        var row = await store.GetAsync(live.Id);
        Assert.Equal(expected, row!.ReferenceCount);
        await AssertEveryCountMatchesItsReferencesAsync();
    }

    [Fact]
    public async Task Hammer_command_is_registered_in_the_process_host()
    {
        var result = await ProcessHostRunner.RunAsync("no-such-command");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no-such-command", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_with_a_bad_prefix_or_no_connection_string_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new SqliteReferenceStore(new SqliteReferenceStoreOptions { ConnectionString = "Data Source=x.db", TablePrefix = "bad-prefix\";" }));
        Assert.Throws<ArgumentException>(() => new SqliteReferenceStore(new SqliteReferenceStoreOptions()));
    }

    [Fact]
    public void UseSqlite_registers_a_singleton_store_and_replaces_an_earlier_store()
    {
        var services = new ServiceCollection();
        var builder = new TestBuilder(services);
        services.AddSingleton<IReferenceStore>(_ => throw new InvalidOperationException("the earlier registration must have been replaced"));

        builder.UseSqlite(_database.ConnectionString);
        builder.UseSqlite(o => o.TablePrefix = "second_");

        using var provider = services.BuildServiceProvider(validateScopes: true);
        var store = provider.GetRequiredService<IReferenceStore>();
        Assert.IsType<SqliteReferenceStore>(store);
        Assert.Same(store, provider.GetRequiredService<IReferenceStore>());
        Assert.Single(services, d => d.ServiceType == typeof(IReferenceStore));
        Assert.Contains("second_originals", ((SqliteReferenceStore)store).Statements.Originals, StringComparison.Ordinal);
    }

    [Fact]
    public void UseSqlite_validates_options_when_they_are_resolved()
    {
        var services = new ServiceCollection();
        new TestBuilder(services).UseSqlite(o =>
        {
            o.ConnectionString = _database.ConnectionString;
            o.TablePrefix = "no spaces";
        });

        using var provider = services.BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<SqliteReferenceStoreOptions>>().Value);
        Assert.Contains("TablePrefix", error.Message, StringComparison.Ordinal);
        Assert.Contains(services, d => d.ServiceType.Name.Contains("IStartupValidator", StringComparison.Ordinal) || d.ServiceType.Name.Contains("ValidateOnStart", StringComparison.Ordinal) || d.ServiceType == typeof(IValidateOptions<SqliteReferenceStoreOptions>));
    }

    private async Task AssertEveryCountMatchesItsReferencesAsync()
    {
        var mismatches = await _database.ScalarAsync("""
            SELECT COUNT(*) FROM "imagededup_originals" o
            WHERE o.reference_count <> (SELECT COUNT(*) FROM "imagededup_references" r WHERE r.original_id = o.id);
            """);
        Assert.Equal(0L, mismatches);
    }

    private static async Task<Original> CreateLiveAsync(SqliteReferenceStore store, string scope, string holder)
    {
        var digest = TestImages.DigestOf(TestImages.UniquePng(64));
        var original = new NewOriginal(Guid.NewGuid(), scope, digest, 64, "image/png", $"sha256/{digest.Hex}.1");
        await store.InsertPendingAsync(original);
        return (await store.PromoteAsync(original.Id, holder, claimIfOrphaned: false)).Original;
    }

    private static async Task<object?> PragmaAsync(SqliteConnection connection, string name)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA {name};";
        return await command.ExecuteScalarAsync();
    }

    private sealed class TestBuilder(IServiceCollection services) : IImageDedupBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
