using ImageDedup.Testing.Servers;

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
        Assert.DoesNotContain("skip", error.GetType().Name, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Off_CI_without_a_server_the_fixture_fails_too()
    {
        var decision = PostgresServer.Decide(null, dockerAvailable: false, continuousIntegration: false);

        Assert.Throws<InvalidOperationException>(() => PostgresServer.ThrowIfUnavailable(decision));
    }
}
