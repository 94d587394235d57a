using System.Globalization;
using ImageDedup.Shared;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace ImageDedup.Sqlite;

/// <summary>
/// Applies the embedded <c>Migrations/Install.vN.sql</c> scripts in order and records each version.
/// All of it runs under <c>BEGIN IMMEDIATE</c>, so two processes migrating one file apply each
/// version once: the second waits for the lock, then finds the version recorded.
/// </summary>
internal sealed partial class SqliteSchemaMigrator
{
    private static readonly IReadOnlyList<(int Version, string ResourceName)> Scripts = FindScripts();

    private readonly SqliteConnectionFactory _connections;
    private readonly SqliteStatements _sql;
    private readonly string _prefix;
    private readonly ILogger _logger;
    private readonly OnceGate _gate;

    public SqliteSchemaMigrator(SqliteConnectionFactory connections, SqliteStatements sql, string prefix, ILogger logger)
    {
        _connections = connections;
        _sql = sql;
        _prefix = prefix;
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
        var connection = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // A read first: an up-to-date database needs no write lock, so a host transaction that
            // holds the lock cannot block the store's first call.
            var current = await ReadVersionAsync(connection, null, cancellationToken).ConfigureAwait(false);
            if (current >= LatestVersion)
            {
                if (_logger.IsEnabled(LogLevel.Debug))
                {
                    _logger.LogDebug("ImageDedup SQLite schema already at version {Version}.", current);
                }
                return;
            }

            var transaction = connection.BeginTransaction(deferred: false);
            await using (transaction.ConfigureAwait(false))
            {
                await SqliteCommands.NonQueryAsync(connection, transaction, _sql.CreateSchemaVersion, cancellationToken).ConfigureAwait(false);
                current = await ReadVersionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
                foreach (var (version, resourceName) in Scripts)
                {
                    if (version <= current)
                    {
                        continue;
                    }

                    if (_logger.IsEnabled(LogLevel.Information))
                    {
                        _logger.LogInformation("Applying ImageDedup SQLite schema version {Version} (table prefix '{Prefix}').", version, _prefix);
                    }
                    var script = (await ReadResourceAsync(resourceName, cancellationToken).ConfigureAwait(false))
                        .Replace("{prefix}", _prefix, StringComparison.Ordinal);
                    await SqliteCommands.NonQueryAsync(connection, transaction, script, cancellationToken).ConfigureAwait(false);
                    await SqliteCommands.NonQueryAsync(connection, transaction, _sql.InsertSchemaVersion, cancellationToken, ("@version", version)).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }

            if (current < LatestVersion)
            {
                if (_logger.IsEnabled(LogLevel.Information))
                {
                    _logger.LogInformation("ImageDedup SQLite schema is at version {Version}.", LatestVersion);
                }
            }
        }
    }

    private async Task<int> ReadVersionAsync(SqliteConnection connection, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        var exists = await SqliteCommands.ScalarAsync(
            connection,
            transaction,
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = @name;",
            cancellationToken,
            ("@name", _prefix + "schema_version")).ConfigureAwait(false);
        if (Convert.ToInt64(exists, CultureInfo.InvariantCulture) == 0)
        {
            return 0;
        }

        var version = await SqliteCommands.ScalarAsync(connection, transaction, _sql.SelectSchemaVersion, cancellationToken).ConfigureAwait(false);
        return Convert.ToInt32(version, CultureInfo.InvariantCulture);
    }

    private static async Task<string> ReadResourceAsync(string resourceName, CancellationToken cancellationToken)
    {
        var stream = typeof(SqliteSchemaMigrator).Assembly.GetManifestResourceStream(resourceName)
            ?? throw new InvalidOperationException($"The migration '{resourceName}' is not embedded.");
        await using (stream.ConfigureAwait(false))
        {
            using var reader = new StreamReader(stream);
            return await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        }
    }
    private static List<(int, string)> FindScripts()
    {
        var scripts = new List<(int, string)>();
        foreach (var name in typeof(SqliteSchemaMigrator).Assembly.GetManifestResourceNames())
        {
            var match = InstallScript().Match(name);
            if (match.Success)
            {
                scripts.Add((int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), name));
            }
        }

        if (scripts.Count == 0)
        {
            throw new InvalidOperationException("No Install.vN.sql migration is embedded in ImageDedup.Sqlite.");
        }

        scripts.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return scripts;
    }

    [GeneratedRegex(@"\.Migrations\.Install\.v(\d+)\.sql$", RegexOptions.CultureInvariant)]
    private static partial Regex InstallScript();
}
