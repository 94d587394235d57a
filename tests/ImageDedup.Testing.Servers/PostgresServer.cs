using System.Net.Sockets;
using Testcontainers.PostgreSql;

namespace ImageDedup.Testing.Servers;

/// <summary>Where the PostgreSQL tests get their server from.</summary>
public enum PostgresServerSource
{
    /// <summary>The server named by <see cref="PostgresServer.EnvironmentVariable"/> (test.sh starts one).</summary>
    Environment,

    /// <summary>A Testcontainers container of <see cref="PostgresServer.Image"/>.</summary>
    Container,

    /// <summary>No server: the tests fail with <see cref="PostgresServerDecision.Failure"/>; they never skip.</summary>
    Unavailable,
}

/// <summary>The outcome of <see cref="PostgresServer.Decide"/>.</summary>
/// <param name="Source">Where the server comes from.</param>
/// <param name="ConnectionString">The connection string of <see cref="PostgresServerSource.Environment"/>.</param>
/// <param name="Failure">Why no server can be had, for <see cref="PostgresServerSource.Unavailable"/>.</param>
public sealed record PostgresServerDecision(PostgresServerSource Source, string? ConnectionString, string? Failure);

/// <summary>
/// The one PostgreSQL server of a test run: <c>IMAGEDEDUP_TEST_POSTGRES</c> if set, else a Testcontainers
/// container when Docker answers, else a clear failure. Tests never skip for want of a server.
/// </summary>
public static class PostgresServer
{
    /// <summary>The variable that holds an Npgsql connection string to a server the tests may use.</summary>
    public const string EnvironmentVariable = "IMAGEDEDUP_TEST_POSTGRES";

    /// <summary>The pinned image of the container fallback.</summary>
    public const string Image = "postgres:15-alpine";

    private static readonly Lazy<Task<string>> Server = new(StartAsync, LazyThreadSafetyMode.ExecutionAndPublication);
    private static PostgreSqlContainer? _container;

    /// <summary>The connection string of the server (an administrative database on it); starts a container at most once.</summary>
    public static Task<string> GetConnectionStringAsync() => Server.Value;

    /// <summary>Decides where the server comes from. Pure, so the no-server rule is testable.</summary>
    /// <param name="environmentValue">The value of <see cref="EnvironmentVariable"/>, or null.</param>
    /// <param name="dockerAvailable">Whether a Docker daemon answers.</param>
    /// <param name="continuousIntegration">Whether <c>CI=true</c>; named in the failure message.</param>
    public static PostgresServerDecision Decide(string? environmentValue, bool dockerAvailable, bool continuousIntegration)
    {
        if (!string.IsNullOrWhiteSpace(environmentValue))
        {
            return new PostgresServerDecision(PostgresServerSource.Environment, environmentValue, null);
        }

        if (dockerAvailable)
        {
            return new PostgresServerDecision(PostgresServerSource.Container, null, null);
        }

        var failure =
            $"No PostgreSQL server for the tests: run ./test.sh (it starts one and sets {EnvironmentVariable}) or set " +
            $"{EnvironmentVariable} to an Npgsql connection string, for example " +
            $"\"Host=127.0.0.1;Port=5432;Username=postgres;Password=…;Database=postgres\". Docker is not available for the Testcontainers fallback either." +
            (continuousIntegration ? " CI=true: these tests fail rather than skip." : string.Empty);
        return new PostgresServerDecision(PostgresServerSource.Unavailable, null, failure);
    }

    /// <summary>Whether a Docker daemon is reachable (DOCKER_HOST set, or the default socket accepts a connection).</summary>
    public static bool DockerAvailable()
    {
        if (!string.IsNullOrWhiteSpace(System.Environment.GetEnvironmentVariable("DOCKER_HOST")))
        {
            return true;
        }

        const string socketPath = "/var/run/docker.sock";
        if (!OperatingSystem.IsWindows() && !File.Exists(socketPath))
        {
            return false;
        }

        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Throws the decision's failure when it found no server; tests fail, they never skip.</summary>
    /// <exception cref="InvalidOperationException">No server can be had.</exception>
    public static void ThrowIfUnavailable(PostgresServerDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        if (decision.Source == PostgresServerSource.Unavailable)
        {
            throw new InvalidOperationException(decision.Failure);
        }
    }

    private static async Task<string> StartAsync()
    {
        var decision = Decide(
            System.Environment.GetEnvironmentVariable(EnvironmentVariable),
            DockerAvailable(),
            string.Equals(System.Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase));
        ThrowIfUnavailable(decision);
        if (decision.Source == PostgresServerSource.Environment)
        {
            return decision.ConnectionString!;
        }

        // Testcontainers' resource reaper removes the container when the test process ends.
        _container = new PostgreSqlBuilder(Image).Build();
        await _container.StartAsync();
        return _container.GetConnectionString();
    }
}
