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
        await using (var admin = new NpgsqlConnection(_serverConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{Name}\"", admin);
            await create.ExecuteNonQueryAsync();
        }

        ConnectionString = new NpgsqlConnectionStringBuilder(_serverConnectionString)
        {
            Database = Name,
            MaxPoolSize = 150,
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

        await using var admin = new NpgsqlConnection(_serverConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }
}
