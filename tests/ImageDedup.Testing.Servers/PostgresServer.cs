namespace ImageDedup.Testing.Servers;

/// <summary>Where the PostgreSQL tests get their server from.</summary>
public enum PostgresServerSource
{
    /// <summary>The server named by <see cref="PostgresServer.EnvironmentVariable"/> (test.sh starts one).</summary>
    Environment,

    /// <summary>A Testcontainers container of <see cref="ContainerSettings.PostgresImage"/>.</summary>
    Container,

    /// <summary>No server: the tests fail with <see cref="PostgresServerDecision.Failure"/>; they never skip.</summary>
    Unavailable,
}

/// <summary>The outcome of <see cref="PostgresServer.Decide"/>.</summary>
/// <param name="Source">Where the server comes from.</param>
/// <param name="ConnectionString">The connection string of <see cref="PostgresServerSource.Environment"/>.</param>
/// <param name="Failure">Why no server can be had, for <see cref="PostgresServerSource.Unavailable"/>.</param>
public sealed record PostgresServerDecision(PostgresServerSource Source, string? ConnectionString, string? Failure);

/// <summary>A running server of <see cref="PostgresServer"/>.</summary>
/// <param name="ConnectionString">An Npgsql connection string to an administrative database on it.</param>
/// <param name="ContainerImage">The image of the container it runs in, or null for the server of <see cref="PostgresServer.EnvironmentVariable"/>.</param>
public sealed record PostgresServerEndpoint(string ConnectionString, string? ContainerImage);

/// <summary>
/// The one PostgreSQL server of a test run: <c>IMAGEDEDUP_TEST_POSTGRES</c> if set, else a Testcontainers
/// container (of <see cref="ContainerSettings.PostgresImage"/>) when Docker answers, else a clear failure.
/// Tests never skip for want of a server.
/// </summary>
public static class PostgresServer
{
    /// <summary>The variable that holds an Npgsql connection string to a server the tests may use.</summary>
    public const string EnvironmentVariable = "IMAGEDEDUP_TEST_POSTGRES";

    private static readonly Lazy<Task<PostgresServerEndpoint>> Server = new(StartAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The server of this run; starts a container at most once.</summary>
    /// <exception cref="InvalidOperationException">No server is configured and none could be started.</exception>
    public static Task<PostgresServerEndpoint> GetAsync() => Server.Value;

    /// <summary>The connection string of the server (an administrative database on it); starts a container at most once.</summary>
    /// <exception cref="InvalidOperationException">No server is configured and none could be started.</exception>
    public static async Task<string> GetConnectionStringAsync() => (await GetAsync().ConfigureAwait(false)).ConnectionString;

    /// <summary>Decides where the server comes from. Pure, so the no-server rule is testable.</summary>
    /// <param name="environmentValue">The value of <see cref="EnvironmentVariable"/>, or null.</param>
    /// <param name="dockerAvailable">Whether a Docker engine answers.</param>
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
            $"\"Host=127.0.0.1;Port=5432;Username=postgres;Password=…;Database=postgres\". For the Testcontainers fallback: " +
            DockerEngine.Missing("PostgreSQL") +
            (continuousIntegration ? " CI=true: these tests fail rather than skip." : string.Empty);
        return new PostgresServerDecision(PostgresServerSource.Unavailable, null, failure);
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

    private static async Task<PostgresServerEndpoint> StartAsync()
    {
        var decision = Decide(
            System.Environment.GetEnvironmentVariable(EnvironmentVariable),
            DockerEngine.IsReachable(),
            string.Equals(System.Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase));
        ThrowIfUnavailable(decision);
        if (decision.Source == PostgresServerSource.Environment)
        {
            return new PostgresServerEndpoint(decision.ConnectionString!, null);
        }

        var settings = ContainerSettings.FromEnvironment();
        return new PostgresServerEndpoint(await PostgresContainer.StartAsync(settings).ConfigureAwait(false), settings.PostgresImage);
    }
}
