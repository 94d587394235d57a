using System.Globalization;
using ImageDedup.Shared;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ImageDedup.Postgres;

/// <summary>
/// Applies the embedded <c>Migrations/Install.vN.sql</c> scripts in order and records each version in
/// <c>schema_version</c>. The work runs in one transaction under <c>pg_advisory_xact_lock</c>, so many
/// instances starting at once apply each version exactly once: the others wait, then find it recorded.
/// </summary>
internal sealed partial class PostgresSchemaMigrator
{
    /// <summary>First key of the two-key advisory lock ('IDDM'); the second is the schema's hash.</summary>
    private const int LockClass = 0x4944444D;

    private static readonly IReadOnlyList<(int Version, string ResourceName)> Scripts = FindScripts();

    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresSql _sql;
    private readonly ILogger _logger;
    private readonly OnceGate _gate;

    public PostgresSchemaMigrator(NpgsqlDataSource dataSource, PostgresSql sql, ILogger logger)
    {
        _dataSource = dataSource;
        _sql = sql;
        _logger = logger;
        _gate = new OnceGate(MigrateAsync);
    }

    /// <summary>The newest schema version this build knows.</summary>
    public static int LatestVersion => Scripts[^1].Version;

    /// <summary>
    /// Migrates once per instance (see <see cref="OnceGate"/>); each caller's token only stops its own wait.
    /// </summary>
    public Task EnsureAsync(CancellationToken cancellationToken) => _gate.EnsureAsync(cancellationToken);

    /// <summary>Applies every script newer than the recorded version.</summary>
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // Read first, without a lock or DDL: an up-to-date schema needs neither, so an application
            // role without CREATE rights works against a schema its DBA installed.
            var current = await ReadVersionAsync(connection, null, cancellationToken).ConfigureAwait(false);
            if (current >= LatestVersion)
            {
                Log.SchemaUpToDate(_logger, _sql.SchemaName, current);
                return;
            }

            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock($1, hashtext($2))", cancellationToken, LockClass, _sql.SchemaName).ConfigureAwait(false);
                var schemaExists = (bool)(await ScalarAsync(connection, transaction, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", cancellationToken, _sql.SchemaName).ConfigureAwait(false))!;
                if (!schemaExists)
                {
                    await ExecuteAsync(connection, transaction, $"CREATE SCHEMA {_sql.Schema}", cancellationToken).ConfigureAwait(false);
                }

                await ExecuteAsync(
                    connection,
                    transaction,
                    $"""
                    CREATE TABLE IF NOT EXISTS {_sql.VersionTable} (
                        version    integer     NOT NULL PRIMARY KEY,
                        applied_at timestamptz NOT NULL DEFAULT clock_timestamp(),
                        script     text        NOT NULL)
                    """,
                    cancellationToken).ConfigureAwait(false);

                // Under the lock: whoever held it before us has committed, and this statement sees it.
                current = await ReadVersionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
                foreach (var (version, resourceName) in Scripts)
                {
                    if (version <= current)
                    {
                        continue;
                    }

                    Log.ApplyingMigration(_logger, version, _sql.SchemaName);
                    await ExecuteAsync(connection, transaction, LoadScript(resourceName), cancellationToken).ConfigureAwait(false);
                    await ExecuteAsync(connection, transaction, $"INSERT INTO {_sql.VersionTable} (version, script) VALUES ($1, $2)", cancellationToken, version, resourceName).ConfigureAwait(false);
                    current = version;
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                Log.Migrated(_logger, _sql.SchemaName, current);
            }
        }
    }

    /// <summary>The install script of one version with the quoted schema name filled in.</summary>
    internal string LoadScript(string resourceName)
    {
        using var stream = typeof(PostgresSchemaMigrator).Assembly.GetManifestResourceStream(resourceName)
            ?? throw new InvalidOperationException($"The migration '{resourceName}' is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Replace("{schema}", _sql.Schema, StringComparison.Ordinal);
    }

    private async Task<int> ReadVersionAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        var exists = await ScalarAsync(connection, transaction, "SELECT to_regclass($1) IS NOT NULL", cancellationToken, _sql.VersionTable).ConfigureAwait(false);
        if (exists is not true)
        {
            return 0;
        }

        var version = await ScalarAsync(connection, transaction, $"SELECT coalesce(max(version), 0) FROM {_sql.VersionTable}", cancellationToken).ConfigureAwait(false);
        return Convert.ToInt32(version, CultureInfo.InvariantCulture);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken, params object[] values)
    {
        var command = Create(connection, transaction, sql, values);
        await using (command.ConfigureAwait(false))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken, params object[] values)
    {
        var command = Create(connection, transaction, sql, values);
        await using (command.ConfigureAwait(false))
        {
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static NpgsqlCommand Create(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, object[] values)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return command;
    }

    private static List<(int Version, string ResourceName)> FindScripts()
    {
        var scripts = new List<(int, string)>();
        foreach (var name in typeof(PostgresSchemaMigrator).Assembly.GetManifestResourceNames())
        {
            var match = ScriptName().Match(name);
            if (match.Success)
            {
                scripts.Add((int.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture), name));
            }
        }

        if (scripts.Count == 0)
        {
            throw new InvalidOperationException("No install scripts are embedded in ImageDedup.Postgres.");
        }

        scripts.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return scripts;
    }

    [GeneratedRegex(@"^ImageDedup\.Postgres\.Migrations\.Install\.v(\d+)\.sql$")]
    private static partial Regex ScriptName();
}
