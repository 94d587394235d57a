using Microsoft.Extensions.DependencyInjection;
using ImageDedup.Storage;
using Npgsql;

namespace ImageDedup.Scale;

/// <summary>A catalogue in its own schema of the benchmark's PostgreSQL database.</summary>
internal sealed class PostgresScaleCatalogue(string connectionString) : ScaleCatalogue
{
    private readonly string _schema = $"scale_{Guid.NewGuid():N}"[..20];
    private readonly NpgsqlDataSource _data = NpgsqlDataSource.Create(connectionString);

    public override string Name => "postgres";

    public override void Configure(IImageDedupBuilder builder)
        => builder.UsePostgres(o =>
        {
            o.ConnectionString = connectionString;
            o.Schema = _schema;
        });

    public override async Task PopulateAsync(IReferenceStore store, long originals)
    {
        await store.MigrateAsync();
        var s = $"\"{_schema}\"";
        // The counting trigger adds each inserted row to its scope's counter row; a million of those
        // updates in one transaction chain a million versions of a few rows (quadratic). So the rows
        // go in with that trigger off and the counters are summed once, in the same transaction,
        // exactly as the trigger would have left them (all in slot 0).
        // The scope is the same Zipf-like draw as ScopeOf, computed here so the rows never leave the server.
        // One multi-statement batch (so no parameters: the count is a number, formatted in).
        await ExecuteAsync($"""
            BEGIN;
            ALTER TABLE {s}.originals DISABLE TRIGGER originals_count_insert;
            INSERT INTO {s}.originals (id, scope, digest, length, content_type, storage_key, state, reference_count, created_at, updated_at, orphaned_at)
            SELECT g.id, g.scope, 'sha256:' || g.d, 1000 + (g.i * 7919) % 1000000, 'image/png',
                   'sha256/' || substr(g.d, 1, 2) || '/' || substr(g.d, 3, 2) || '/' || g.d || '.' || replace(g.id::text, '-', ''),
                   'live', g.rc, g.ts, g.ts, CASE WHEN g.rc = 0 THEN g.ts END
            FROM (SELECT i,
                         (lpad(to_hex(i), 12, '0') || '70008000' || lpad(to_hex(i), 12, '0'))::uuid AS id,
                         't' || lpad((floor(power(1001::float8, (i * 0.6180339887498949::float8) - floor(i * 0.6180339887498949::float8))) - 1)::int::text, 3, '0') AS scope,
                         encode(sha256(convert_to('scale-original-' || i, 'UTF8')), 'hex') AS d,
                         CASE WHEN i % 100 = 0 THEN 0 WHEN i % 5 = 1 THEN 2 ELSE 1 END AS rc,
                         clock_timestamp() - interval '1 day' AS ts
                  FROM generate_series(1::bigint, {originals}) AS i) AS g;
            INSERT INTO {s}.scope_counters (scope, slot, originals, stored_bytes, orphans, orphan_bytes, "references", logical_bytes)
            SELECT scope, 0, count(*), sum(length), count(*) FILTER (WHERE reference_count = 0),
                   coalesce(sum(length) FILTER (WHERE reference_count = 0), 0), sum(reference_count), sum(reference_count * length)
            FROM {s}.originals GROUP BY scope;
            ALTER TABLE {s}.originals ENABLE TRIGGER originals_count_insert;
            COMMIT;
            """);
        await ExecuteAsync($"""
            INSERT INTO {s}."references" (scope, holder, original_id, created_at)
            SELECT o.scope, 'o/' || o.id::text || '/' || k, o.id, o.created_at
            FROM {s}.originals AS o CROSS JOIN LATERAL generate_series(1, o.reference_count::int) AS k
            """);
        // Vacuumed, not only analysed: otherwise autovacuum's pass over the freshly inserted million rows
        // (PostgreSQL 13+ vacuums after inserts) runs on the second core while the large catalogue is timed.
        await ExecuteAsync($"VACUUM (ANALYZE) {s}.originals");
        await ExecuteAsync($"VACUUM (ANALYZE) {s}.\"references\"");

        // The load wrote gigabytes of WAL; the checkpoint that follows would otherwise run during the
        // timings, and every page first written after a checkpoint starts goes to the WAL whole
        // (full-page writes): the 10^6 prefix releases tripled for a few minutes (seen here).
        await ExecuteAsync("CHECKPOINT");
    }

    public override async Task<Dictionary<Guid, string>> ScopesAsync(IReadOnlyList<Guid> ids)
    {
        await using var command = _data.CreateCommand($"SELECT id, scope FROM \"{_schema}\".originals WHERE id = ANY ($1)");
        command.Parameters.Add(new NpgsqlParameter { Value = ids.ToArray() });
        await using var reader = await command.ExecuteReaderAsync();
        var scopes = new Dictionary<Guid, string>();
        while (await reader.ReadAsync())
        {
            scopes[reader.GetGuid(0)] = reader.GetString(1);
        }

        return scopes;
    }

    public override Task SeedPrefixAsync(string prefix)
    {
        var s = $"\"{_schema}\"";
        return ExecuteAsync($"""
            WITH picked AS MATERIALIZED (
                SELECT o.id, row_number() OVER (ORDER BY o.id) AS rn FROM {s}.originals AS o
                WHERE o.scope = '{BigScope}' AND o.state = 'live' AND o.reference_count > 0 ORDER BY o.id LIMIT 1000),
            n AS (SELECT count(*) AS c FROM picked),
            ins AS (
                INSERT INTO {s}."references" (scope, holder, original_id)
                SELECT '{BigScope}', $1 || lpad(g::text, 4, '0'), p.id
                FROM generate_series(1, 1000) AS g CROSS JOIN n JOIN picked AS p ON p.rn = ((g - 1) % n.c) + 1
                RETURNING original_id),
            counts AS (SELECT original_id, count(*) AS c FROM ins GROUP BY original_id)
            UPDATE {s}.originals AS o SET reference_count = o.reference_count + counts.c FROM counts WHERE o.id = counts.original_id
            """, prefix);
    }

    // "state <> 'live'" names the partial index of unsettled rows, so only the claimed rows are read.
    public override Task UnclaimAsync() => ExecuteAsync($"UPDATE \"{_schema}\".originals SET state = 'live' WHERE state = 'deleting' AND state <> 'live'");

    public override async Task<long> BytesAsync()
    {
        await using var command = _data.CreateCommand($"SELECT pg_total_relation_size('\"{_schema}\".originals') + pg_total_relation_size('\"{_schema}\".\"references\"')");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public override async ValueTask DisposeAsync()
    {
        await ExecuteAsync($"DROP SCHEMA IF EXISTS \"{_schema}\" CASCADE");
        await _data.DisposeAsync();
    }

    private async Task ExecuteAsync(string sql, params object[] parameters)
    {
        await using var command = _data.CreateCommand(sql);
        command.CommandTimeout = 0;
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        await command.ExecuteNonQueryAsync();
    }
}
