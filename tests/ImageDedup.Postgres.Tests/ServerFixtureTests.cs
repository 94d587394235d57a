using System.Globalization;
using ImageDedup.Testing.Servers;
using Npgsql;

namespace ImageDedup.Postgres.Tests;

/// <summary>Where the tests get PostgreSQL from, and that no server means failure, never a skip.</summary>
public sealed class ServerFixtureTests
{
    [Fact]
    public void The_environment_variable_wins()
    {
        var decision = PostgresServer.Decide("Host=db;Username=u", dockerAvailable: true, continuousIntegration: true);

        Assert.Equal(PostgresServerSource.Environment, decision.Source);
        Assert.Equal("Host=db;Username=u", decision.ConnectionString);
        PostgresServer.ThrowIfUnavailable(decision);
    }

    [Fact]
    public void Without_the_variable_docker_is_the_fallback()
        => Assert.Equal(PostgresServerSource.Container, PostgresServer.Decide(null, dockerAvailable: true, continuousIntegration: false).Source);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void On_CI_without_a_server_the_fixture_fails_with_directions(string? variable)
    {
        var decision = PostgresServer.Decide(variable, dockerAvailable: false, continuousIntegration: true);

        Assert.Equal(PostgresServerSource.Unavailable, decision.Source);
        var error = Assert.Throws<InvalidOperationException>(() => PostgresServer.ThrowIfUnavailable(decision));
        Assert.Contains("./test.sh", error.Message, StringComparison.Ordinal);
        Assert.Contains(PostgresServer.EnvironmentVariable, error.Message, StringComparison.Ordinal);
        Assert.Contains("CI=true", error.Message, StringComparison.Ordinal);
        Assert.Contains("No Docker engine answers", error.Message, StringComparison.Ordinal);
        Assert.Contains("scripts/container-images.sh", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("skip", error.GetType().Name, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Off_CI_without_a_server_the_fixture_fails_too()
    {
        var decision = PostgresServer.Decide(null, dockerAvailable: false, continuousIntegration: false);

        Assert.Throws<InvalidOperationException>(() => PostgresServer.ThrowIfUnavailable(decision));
    }

    /// <summary>
    /// The server the other tests of this run use is the one the environment names: test.sh's, or
    /// (its container pass, IMAGEDEDUP_TEST_CONTAINERS=1) a container of the configured image at
    /// default settings, reached on the loopback port the fixture chose under host networking.
    /// </summary>
    [Fact]
    public async Task The_server_of_this_run_is_the_one_the_environment_names()
    {
        var server = await PostgresServer.GetAsync();
        var connection = new NpgsqlConnectionStringBuilder(server.ConnectionString);
        await using var session = new NpgsqlConnection(server.ConnectionString);
        await session.OpenAsync();
        Assert.Equal(connection.Port, Convert.ToInt32(await ScalarAsync(session, "SELECT inet_server_port()"), CultureInfo.InvariantCulture));

        if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(PostgresServer.EnvironmentVariable)))
        {
            Assert.Null(server.ContainerImage);
            Assert.Equal(Environment.GetEnvironmentVariable(PostgresServer.EnvironmentVariable), server.ConnectionString);
            return;
        }

        var settings = ContainerSettings.FromEnvironment();
        Assert.Equal(settings.PostgresImage, server.ContainerImage);
        Assert.StartsWith("15", (string)(await ScalarAsync(session, "SHOW server_version"))!, StringComparison.Ordinal);
        Assert.Equal("100", await ScalarAsync(session, "SHOW max_connections"));
        if (settings.HostNetwork)
        {
            Assert.Equal("127.0.0.1", connection.Host);
            Assert.Equal("127.0.0.1", await ScalarAsync(session, "SHOW listen_addresses"));
        }
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
