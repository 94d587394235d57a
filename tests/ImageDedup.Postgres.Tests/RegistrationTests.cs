using ImageDedup.Storage;
using ImageDedup.Testing.Servers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ImageDedup.Postgres.Tests;

/// <summary>UsePostgres: options validated at start, last Use wins, a DI NpgsqlDataSource can be shared.</summary>
public sealed class RegistrationTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task The_last_Use_wins()
    {
        var services = new ServiceCollection();
        services.AddImageDedup();
        services.AddSingleton<IReferenceStore>(_ => throw new InvalidOperationException("an earlier reference store"));
        services.AddImageDedup().UsePostgres(database.ConnectionString);
        await using var provider = services.BuildServiceProvider();

        Assert.IsType<PostgresReferenceStore>(provider.GetRequiredService<IReferenceStore>());
        Assert.Single(services, d => d.ServiceType == typeof(IReferenceStore));
    }

    [Fact]
    public async Task A_registered_data_source_is_used_and_left_open()
    {
        var schema = PostgresDatabase.NewSchemaName();
        var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        var services = new ServiceCollection();
        services.AddSingleton(dataSource);
        services.AddImageDedup().UsePostgres().UsePostgres(o => o.Schema = schema);
        await using (var provider = services.BuildServiceProvider())
        {
            var store = (PostgresReferenceStore)provider.GetRequiredService<IReferenceStore>();
            Assert.Same(dataSource, store.DataSource);
            Assert.Equal(schema, store.Sql.SchemaName);
            Assert.NotNull(await store.GetStatisticsAsync(null)); // migrates on first use
        }

        // Disposing the provider disposed the store, but not the host's data source.
        await using var command = dataSource.CreateCommand("SELECT 1");
        Assert.Equal(1, await command.ExecuteScalarAsync());
        await dataSource.DisposeAsync();
    }

    [Theory]
    [InlineData(null, false, "imagededup", "ConnectionString is required")]
    [InlineData("Host=x", true, "imagededup", "not both")]
    [InlineData("Host=x", false, "bad$name", "Schema")]
    [InlineData("Host=x", false, "", "Schema")]
    [InlineData("NoSuchKeyword=1", false, "imagededup", "not a valid Npgsql connection string")]
    public async Task Invalid_options_fail_at_start(string? connectionString, bool registered, string schema, string expected)
    {
        var services = new ServiceCollection();
        services.AddImageDedup().UsePostgres(o =>
        {
            o.ConnectionString = connectionString;
            o.UseRegisteredDataSource = registered;
            o.Schema = schema;
        });
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<PostgresReferenceStoreOptions>>().Value);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
