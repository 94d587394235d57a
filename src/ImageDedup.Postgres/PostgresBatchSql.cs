namespace ImageDedup.Postgres;

/// <summary>
/// The SQL of the store's group-commit methods: one statement per batch step, its items bound as
/// array parameters. Attaching and promoting call the functions of <c>Install.v8.sql</c>; the rest
/// are set statements.
/// </summary>
internal sealed class PostgresBatchSql
{
    public PostgresBatchSql(PostgresSql sql)
    {
        var s = sql.Schema;
        var o = $"{s}.originals";
        TryAttachMany = $"SELECT * FROM {s}.try_attach_many($1, $2, $3, $4)";
        PromoteMany = $"SELECT * FROM {s}.promote_many($1, $2, $3)";
        InsertPendingMany = $"""
            INSERT INTO {o} (id, scope, digest, length, content_type, storage_key, state, orphaned_at)
            SELECT u.id, u.scope, u.digest, u.length, u.content_type, u.storage_key, 'pending', clock_timestamp()
            FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[])
                AS u(id, scope, digest, length, content_type, storage_key)
            """;

        // Pending rows in id order, as promote_many locks them.
        ClaimPendingMany = $"""
            WITH pick AS MATERIALIZED (
                SELECT c.id FROM {o} AS c WHERE c.id = ANY ($1) AND c.state = 'pending' ORDER BY c.id FOR NO KEY UPDATE)
            UPDATE {o} AS o SET state = 'deleting' FROM pick
            WHERE o.id = pick.id AND o.state = 'pending'
            RETURNING {PostgresSql.Columns}
            """;
        DeleteClaimedMany = $"DELETE FROM {o} WHERE id = ANY ($1) AND state = 'deleting'";
    }

    public string TryAttachMany { get; }

    public string PromoteMany { get; }

    public string InsertPendingMany { get; }

    public string ClaimPendingMany { get; }

    public string DeleteClaimedMany { get; }
}
