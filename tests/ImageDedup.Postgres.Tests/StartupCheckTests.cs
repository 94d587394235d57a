using ImageDedup.Testing.Servers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace ImageDedup.Postgres.Tests;

/// <summary>ValidateOnStart: a host whose database cannot be used does not start (issue 12 item 11).</summary>
public sealed class StartupCheckTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IDisposable
{
    private readonly string _root = Path.Join(Path.GetTempPath(), "imagededup-pg-startup-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_wrong_password_fails_the_host_start_naming_the_cause()
    {
        var wrong = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Password = "not-the-password" };
        using var host = Build(wrong.ConnectionString);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.StartsWith("ImageDedup's start-up check failed: the reference store (PostgresReferenceStore) cannot be used.", error.Message, StringComparison.Ordinal);
        Assert.Contains($"password authentication failed for user \"{wrong.Username}\"", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Join(_root, ".imagededup")), "the blob store was claimed for a catalogue that could not be read");
    }

    [Fact]
    public async Task A_usable_database_and_root_start_and_the_root_is_claimed_for_the_schemas_catalogue()
    {
        var schema = PostgresDatabase.NewSchemaName();
        using var host = Build(database.ConnectionString, schema);

        await host.StartAsync();
        await host.StopAsync();

        var catalogue = await Stores.Create(database, schema).GetCatalogueIdAsync();
        Assert.Equal(catalogue.ToString("D"), (await File.ReadAllTextAsync(Path.Join(_root, ".imagededup", "owner"))).Trim());
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private IHost Build(string connectionString, string? schema = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddImageDedup()
            .UsePostgres(o =>
            {
                o.ConnectionString = connectionString;
                o.Schema = schema ?? PostgresDatabase.NewSchemaName();
            })
            .UseFileSystem(_root)
            .ValidateOnStart();
        return builder.Build();
    }
}
