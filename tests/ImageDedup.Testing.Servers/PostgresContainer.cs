using System.Globalization;
using System.Security.Cryptography;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;
using Npgsql;

namespace ImageDedup.Testing.Servers;

/// <summary>
/// PostgreSQL in a container of an image with the official postgres image's contract (the public
/// image, or the one scripts/container-images.sh builds from Debian's packages), at default settings.
/// </summary>
internal static class PostgresContainer
{
    private const int ServerPort = 5432;
    private const string User = "postgres";

    /// <summary>Starts the server and returns a connection string to its <c>postgres</c> database.</summary>
    /// <exception cref="InvalidOperationException">The container did not start or its server did not answer.</exception>
    public static async Task<string> StartAsync(ContainerSettings settings)
    {
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var builder = ServerContainers.Configure(new ContainerBuilder(settings.PostgresImage), settings)
            .WithEnvironment("POSTGRES_PASSWORD", password)
            .WithEnvironment("POSTGRES_USER", User);
        int? hostPort = null;
        if (settings.HostNetwork)
        {
            // The host's network: the server listens on loopback only, on a port chosen here.
            hostPort = LoopbackPort.Free();
            builder = builder.WithCommand("postgres", "-p", hostPort.Value.ToString(CultureInfo.InvariantCulture), "-c", "listen_addresses=127.0.0.1");
        }
        else
        {
            builder = builder.WithPortBinding(ServerPort, assignRandomHostPort: true);
        }

        string ConnectionString(IContainer container) => new NpgsqlConnectionStringBuilder
        {
            Host = hostPort is null ? container.Hostname : "127.0.0.1",
            Port = hostPort ?? container.GetMappedPublicPort(ServerPort),
            Username = User,
            Password = password,
            Database = "postgres",
        }.ConnectionString;

        var started = await ServerContainers.StartAsync(builder, "PostgreSQL", settings.PostgresImage, container => AnswersAsync(ConnectionString(container))).ConfigureAwait(false);
        return ConnectionString(started);
    }

    private static async Task<bool> AnswersAsync(string connectionString)
    {
        // The official image's first start runs a socket-only server while it initialises: a TCP
        // connection that logs in means the real server is up.
        var probe = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, Timeout = 3 }.ConnectionString;
        try
        {
            await using var connection = new NpgsqlConnection(probe);
            await connection.OpenAsync().ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            return false;
        }
    }
}
