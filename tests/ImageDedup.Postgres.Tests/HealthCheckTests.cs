using System.Net;
using System.Net.Sockets;
using ImageDedup.Testing.Servers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace ImageDedup.Postgres.Tests;

/// <summary>The opt-in health check, through DI as a host registers it.</summary>
public sealed class HealthCheckTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task Healthy_against_the_server()
    {
        await using var provider = Build(database.ConnectionString);

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.Equal(HealthStatus.Healthy, report.Entries["imagededup-postgres"].Status);
    }

    [Fact]
    public async Task A_wrong_password_is_named_as_such()
    {
        var wrong = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Password = "not-the-password" };
        await using var provider = Build(wrong.ConnectionString, name: "pg");

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        var entry = report.Entries["pg"];
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.StartsWith($"The PostgreSQL server at {wrong.Host}:{wrong.Port}/{wrong.Database} refused the login of '{wrong.Username}': password authentication failed", entry.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unhealthy_against_a_closed_port()
    {
        var closed = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Host = "127.0.0.1", Port = ClosedPort(), Timeout = 3 };
        await using var provider = Build(closed.ConnectionString, name: "pg");

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        var entry = report.Entries["pg"];
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.NotNull(entry.Exception);
        Assert.StartsWith($"The PostgreSQL server at 127.0.0.1:{closed.Port}/{closed.Database} cannot be reached", entry.Description, StringComparison.Ordinal);
    }

    private static ServiceProvider Build(string connectionString, string name = "imagededup-postgres")
    {
        var services = new ServiceCollection();
        services.AddLogging(); // a host has it; the health check service needs it
        services.AddImageDedup().UsePostgres(connectionString).AddPostgresHealthCheck(name);
        return services.BuildServiceProvider();
    }

    /// <summary>A loopback port nothing listens on: bound by the OS, then released.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
