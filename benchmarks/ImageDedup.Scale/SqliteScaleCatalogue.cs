using Microsoft.Extensions.DependencyInjection;
using ImageDedup.Storage;
using Microsoft.Data.Sqlite;

namespace ImageDedup.Scale;

/// <summary>A catalogue in its own SQLite file, filled in one transaction by a recursive CTE.</summary>
internal sealed class SqliteScaleCatalogue : ScaleCatalogue
{
    private const string O = "\"imagededup_originals\"";
    private const string R = "\"imagededup_references\"";
    private const string Now = "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)";
    private readonly string _directory = Directory.CreateTempSubdirectory("imagededup-scale-").FullName;
    private readonly string _connectionString;

    public SqliteScaleCatalogue()
    {
        _connectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(_directory, "catalogue.db"), Pooling = false }.ToString();
    }

    public override string Name => "sqlite";

    public override void Configure(IImageDedupBuilder builder) => builder.UseSqlite(_connectionString);

    public override async Task PopulateAsync(IReferenceStore store, long originals)
    {
        await store.MigrateAsync();
        await using var connection = await OpenAsync();
        // The same rows as the PostgreSQL catalogue; what SQL lacks here (SHA-256, the scope draw) the benchmark supplies.
        // Counted (every insert must say so, Install.v3.sql): the triggers add each row to its scope's
        // counters, so the figures are complete and no backfill runs beside the measurements.
        connection.CreateFunction("scale_digest", (long i) => ScaleCatalogue.DigestHexOf(i), isDeterministic: true);
        connection.CreateFunction("scale_scope", (long i) => ScaleCatalogue.ScopeOf(i), isDeterministic: true);
        await using var transaction = connection.BeginTransaction();
        await ExecuteAsync(connection, transaction, $"""
            INSERT INTO {O} (id, scope, digest, length, content_type, storage_key, state, reference_count, created_at, updated_at, orphaned_at, counted)
            WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < @n),
            rows AS (SELECT i, printf('%08x-%04x-7000-8000-%012x', i >> 16, i & 65535, i) AS id, scale_scope(i) AS scope, scale_digest(i) AS d,
                            CASE WHEN i % 100 = 0 THEN 0 WHEN i % 5 = 1 THEN 2 ELSE 1 END AS rc, {Now} - 86400000 AS ts FROM g)
            SELECT id, scope, 'sha256:' || d, 1000 + (i * 7919) % 1000000, 'image/png',
                   'sha256/' || substr(d, 1, 2) || '/' || substr(d, 3, 2) || '/' || d || '.' || replace(id, '-', ''),
                   1, rc, ts, ts, CASE WHEN rc = 0 THEN ts END, 1
            FROM rows
            """, ("@n", originals));
        await ExecuteAsync(connection, transaction, $"INSERT INTO {R} (scope, holder, original_id, created_at) SELECT scope, 'o/' || id || '/1', id, created_at FROM {O} WHERE reference_count >= 1");
        await ExecuteAsync(connection, transaction, $"INSERT INTO {R} (scope, holder, original_id, created_at) SELECT scope, 'o/' || id || '/2', id, created_at FROM {O} WHERE reference_count >= 2");
        await transaction.CommitAsync();
        await ExecuteAsync(connection, null, "ANALYZE");
        // As on PostgreSQL: the load's WAL is checkpointed now, not during the timings.
        await ExecuteAsync(connection, null, "PRAGMA wal_checkpoint(TRUNCATE)");
    }

    public override async Task<Dictionary<Guid, string>> ScopesAsync(IReadOnlyList<Guid> ids)
    {
        await using var connection = await OpenAsync();
        var scopes = new Dictionary<Guid, string>();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT scope FROM {O} WHERE id = @id";
        var parameter = command.Parameters.Add("@id", SqliteType.Text);
        foreach (var id in ids)
        {
            parameter.Value = id.ToString("D");
            if (await command.ExecuteScalarAsync() is string scope)
            {
                scopes[id] = scope;
            }
        }

        return scopes;
    }

    public override async Task SeedPrefixAsync(string prefix)
    {
        await using var connection = await OpenAsync();
        await using var transaction = connection.BeginTransaction();
        await ExecuteAsync(connection, transaction, $"""
            WITH RECURSIVE g(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM g WHERE j < 1000),
            picked AS (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM {O}
                       WHERE scope = '{BigScope}' AND state = 1 AND reference_count > 0 ORDER BY id LIMIT 1000),
            n AS (SELECT count(*) AS c FROM picked)
            INSERT INTO {R} (scope, holder, original_id, created_at)
            SELECT '{BigScope}', @prefix || printf('%04d', g.j), p.id, {Now}
            FROM g, n JOIN picked AS p ON p.rn = ((g.j - 1) % n.c) + 1
            """, ("@prefix", prefix));
        await ExecuteAsync(connection, transaction, $"""
            UPDATE {O} SET reference_count = reference_count + c.n
            FROM (SELECT original_id, count(*) AS n FROM {R} WHERE scope = '{BigScope}' AND holder >= @prefix AND holder < @end GROUP BY original_id) AS c
            WHERE {O}.id = c.original_id
            """, ("@prefix", prefix), ("@end", prefix[..^1] + (char)(prefix[^1] + 1)));
        await transaction.CommitAsync();
    }

    public override async Task UnclaimAsync()
    {
        await using var connection = await OpenAsync();
        // "state <> 1" names the partial index of unsettled rows, so only the claimed rows are read: a
        // scan of every row here evicted the page cache the timed claim then had to refill.
        await ExecuteAsync(connection, null, $"UPDATE {O} SET state = 1 WHERE state = 2 AND state <> 1");
    }

    public override async Task<long> BytesAsync()
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT (SELECT page_count FROM pragma_page_count()) * (SELECT page_size FROM pragma_page_size())";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public override ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        return ValueTask.CompletedTask;
    }

    private async Task<SqliteConnection> OpenAsync()
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync();
        await ExecuteAsync(connection, null, "PRAGMA busy_timeout = 30000");
        return connection;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.CommandTimeout = 0;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync();
    }
}
