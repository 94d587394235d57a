using Npgsql;
using Xunit;

namespace ImageDedup.Testing.Servers;

/// <summary>
/// A fresh database on the test server for one test class (use it as an <c>IClassFixture</c>), dropped
/// afterwards. Classes run in parallel without seeing each other's rows; within a class, give each store
/// its own schema with <see cref="NewSchemaName"/>.
/// </summary>
public sealed class PostgresDatabase : IAsyncLifetime
{
    /// <summary>
    /// The most connections one class's pool opens. The whole suite runs against a stock server
    /// (<c>max_connections = 100</c>): several test processes at once, each with up to two classes
    /// running and child processes of their own, so one pool must stay a small share of it. Stores
    /// built from <see cref="ConnectionString"/> (and child processes given it) inherit the bound.
    /// </summary>
    public const int MaxPoolSize = 10;

    private NpgsqlDataSource? _dataSource;
    private string? _serverConnectionString;

    /// <summary>The database's name.</summary>
    public string Name { get; } = "imagededup_test_" + Guid.NewGuid().ToString("N")[..16];

    /// <summary>A connection string to the fresh database.</summary>
    public string ConnectionString { get; private set; } = string.Empty;

    /// <summary>A pooled data source on the fresh database.</summary>
    public NpgsqlDataSource DataSource => _dataSource ?? throw new InvalidOperationException("The database is not created yet.");

    /// <summary>A schema name no other store of this run uses.</summary>
    public static string NewSchemaName() => "t_" + Guid.NewGuid().ToString("N")[..20];

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        _serverConnectionString = await PostgresServer.GetConnectionStringAsync();
        await using (var admin = new NpgsqlConnection(Unpooled(_serverConnectionString)))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{Name}\"", admin);
            await create.ExecuteNonQueryAsync();
        }

        ConnectionString = new NpgsqlConnectionStringBuilder(_serverConnectionString)
        {
            Database = Name,
            MaxPoolSize = MaxPoolSize,
            // Waiting for a free pooled connection counts against this too: a test that runs 100
            // operations at once queues them on the pool instead of opening 100 connections.
            Timeout = 30,
        }.ConnectionString;
        _dataSource = NpgsqlDataSource.Create(ConnectionString);
    }

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }

        if (_serverConnectionString is null)
        {
            return;
        }

        await using var admin = new NpgsqlConnection(Unpooled(_serverConnectionString));
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    /// <summary>Administrative connections, once per class, are closed when done rather than left idle in a pool of their own.</summary>
    private static string Unpooled(string connectionString)
        => new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
}
