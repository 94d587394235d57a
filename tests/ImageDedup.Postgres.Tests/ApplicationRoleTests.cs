using ImageDedup.Testing;
using ImageDedup.Testing.Content;
using ImageDedup.Testing.Servers;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ImageDedup.Postgres.Tests;

/// <summary>
/// The README's grants are enough: a role with exactly them, and no right to create anything, runs
/// every operation of the engine on a schema its owner deployed, with <c>AutoMigrate = false</c>.
/// </summary>
public sealed class ApplicationRoleTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IAsyncLifetime
{
    private readonly string _role = "app_" + Guid.NewGuid().ToString("N")[..12];
    private readonly string _password = Guid.NewGuid().ToString("N");
    private readonly string _blobs = Directory.CreateTempSubdirectory("imagededup-pg-role-").FullName;

    public async Task InitializeAsync()
    {
        await using var command = database.DataSource.CreateCommand($"CREATE ROLE {_role} LOGIN PASSWORD '{_password}'");
        await command.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using (var command = database.DataSource.CreateCommand($"DROP OWNED BY {_role}; DROP ROLE {_role}"))
        {
            await command.ExecuteNonQueryAsync();
        }

        Directory.Delete(_blobs, recursive: true);
    }

    [Fact]
    public async Task A_role_with_only_the_documented_grants_runs_the_engine()
    {
        var schema = PostgresDatabase.NewSchemaName();
        await Stores.CreateMigratedAsync(database, schema);
        foreach (var grant in DocumentedGrants(schema, _role))
        {
            await using var command = database.DataSource.CreateCommand(grant);
            await command.ExecuteNonQueryAsync();
        }

        var asRole = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Username = _role, Password = _password, MaxPoolSize = 5 }.ConnectionString;
        var services = new ServiceCollection();
        services.AddImageDedup(o => o.OrphanGracePeriod = TimeSpan.Zero)
            .UsePostgres(o =>
            {
                o.ConnectionString = asRole;
                o.Schema = schema;
                o.AutoMigrate = false;
            })
            .UseFileSystem(_blobs);
        await using var provider = services.BuildServiceProvider();
        var dedup = provider.GetRequiredService<IImageDedup>();
        var scope = dedup.Scope("tenant");
        var bytes = TestImages.UniquePng();

        var stored = await scope.IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = "a/1" });
        await scope.AddReferenceAsync(stored.Original.Id, "a/2");
        await scope.ReleaseAsync("a/1");
        await scope.ReleasePrefixAsync("a");
        var orphan = await scope.IngestAsync(new MemoryStream(TestImages.UniquePng()));
        var takenDown = await scope.IngestAsync(new MemoryStream(TestImages.UniquePng()), new IngestRequest { Holder = "b/1" });
        var purged = await scope.PurgeAsync(takenDown.Original.Id, new PurgeRequest { RequestedBy = "ops", Reason = "notice", Block = true });
        var blocked = await dedup.BlockEverywhereAsync(orphan.Original.Digest, new BlockRequest { RequestedBy = "ops", Reason = "list" });
        var listed = await dedup.ListBlockedAsync();
        var unblocked = await dedup.UnblockEverywhereAsync(orphan.Original.Digest, new BlockRequest { RequestedBy = "ops", Reason = "appeal" });
        var collected = await dedup.CollectGarbageAsync();
        var reconciled = await dedup.ReconcileAsync(new ReconcileOptions { GracePeriod = TimeSpan.Zero });
        var audited = await dedup.AuditAsync(new AuditOptions { GracePeriod = TimeSpan.Zero });
        var verified = await dedup.VerifyAsync();
        var statistics = await dedup.GetStatisticsAsync();

        Assert.True(stored.StoredNewBytes);
        Assert.Equal([takenDown.Original.Id], purged.OriginalsPurged);
        Assert.Equal(2, listed.Items.Count);
        Assert.Null(blocked.Scope);
        Assert.True(unblocked);
        Assert.Null(await scope.GetAsync(stored.Original.Id));
        Assert.Null(await scope.GetAsync(orphan.Original.Id));
        Assert.Equal(1, collected.OriginalsDeleted);
        Assert.Equal(0, reconciled.PendingRemoved);
        Assert.Empty(audited.MissingBlobs);
        Assert.Equal(0, verified.Checked);
        Assert.Equal(0, statistics.UniqueOriginals);
        await using var create = new NpgsqlConnection(asRole);
        await create.OpenAsync();
        await using var ddl = new NpgsqlCommand($"CREATE TABLE \"{schema}\".intruder (id int)", create);
        await Assert.ThrowsAsync<PostgresException>(() => ddl.ExecuteNonQueryAsync());
    }

    /// <summary>The statements of the README's grants block, for this schema and role.</summary>
    private static List<string> DocumentedGrants(string schema, string role)
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot.Find(), "src", "ImageDedup.Postgres", "README.md"));
        var section = readme.IndexOf("### An application role without DDL rights", StringComparison.Ordinal);
        Assert.True(section >= 0, "the README lost its grants section");
        var start = readme.IndexOf("```sql", section, StringComparison.Ordinal) + "```sql".Length;
        var block = readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)];
        var statements = block.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => s.Replace("\"imagededup\"", $"\"{schema}\"", StringComparison.Ordinal).Replace(" TO app", $" TO {role}", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(3, statements.Count);
        return statements;
    }
}
