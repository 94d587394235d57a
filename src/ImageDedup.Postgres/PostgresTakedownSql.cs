namespace ImageDedup.Postgres;

/// <summary>The SQL of the takedown capability (block list and purge, Install.v7.sql) for one schema.</summary>
internal sealed class PostgresTakedownSql
{
    public PostgresTakedownSql(string schema, string originals, string references, string columns)
    {
        var s = schema;
        var o = originals;
        var r = references;
        var b = $"{s}.blocked_digests";
        const string entry = "b.id, b.scope, b.digest, b.reason, b.blocked_by, b.blocked_at";

        Block = $"SELECT b.id, b.scope, b.digest, b.reason, b.blocked_by, b.blocked_at FROM {s}.block($1, $2, $3, $4) AS b";
        UnblockGlobal = $"DELETE FROM {b} AS b WHERE b.digest = $1 AND b.scope IS NULL";
        UnblockScoped = $"DELETE FROM {b} AS b WHERE b.digest = $1 AND b.scope = $2";

        // Two lookups, each on its partial unique index (an OR of both could not use either).
        FindBlock = $"""
            SELECT {entry} FROM (
                (SELECT 0 AS rank, b.* FROM {b} AS b WHERE b.digest = $1 AND b.scope = $2)
                UNION ALL
                (SELECT 1 AS rank, b.* FROM {b} AS b WHERE b.digest = $1 AND b.scope IS NULL)) AS b
            ORDER BY b.rank LIMIT 1
            """;
        // The scope's own entry before the global one of each digest.
        FindBlocks = $"SELECT DISTINCT ON (b.digest) {entry} FROM {b} AS b WHERE b.digest = ANY ($1) AND (b.scope = $2 OR b.scope IS NULL) ORDER BY b.digest, b.scope IS NULL";
        ListBlocks = $"SELECT {entry} FROM {b} AS b WHERE ($1::text IS NULL OR b.scope = $1) AND ($2::bigint IS NULL OR b.id > $2) ORDER BY b.id LIMIT $3";

        ClaimForPurge = $"SELECT * FROM {s}.claim_for_purge($1)";

        // Rows are locked in id order (lock order 3) by the sorted pick, then claimed; a deleting row
        // is claimed again unchanged, so an interrupted purge is found and finished. The digest index
        // finds them in every scope.
        ClaimDigestForPurge = $"""
            WITH pick AS MATERIALIZED (
                SELECT c.id FROM {o} AS c
                WHERE c.digest = $1 AND c.state <> 'pending' AND ($2::text IS NULL OR c.scope = $2) AND ($3::uuid IS NULL OR c.id > $3)
                ORDER BY c.id LIMIT $4
                FOR NO KEY UPDATE)
            UPDATE {o} AS o SET state = 'deleting'
            FROM pick
            WHERE o.id = pick.id AND o.state <> 'pending'
            RETURNING {columns}
            """;

        // One statement: a batch of a claimed original's references in holder order (lock order 2:
        // they all share its scope), deleted, then the count taken from the original (lock order 3).
        // A reference a concurrent release or re-point took meanwhile is skipped. Never a live original's.
        ReleaseClaimed = $"""
            WITH target AS (
                SELECT t.id FROM {o} AS t WHERE t.id = $1 AND t.state = 'deleting'),
            victims AS (
                SELECT v.scope, v.holder FROM {r} AS v JOIN target ON v.original_id = target.id
                ORDER BY v.holder LIMIT $2
                FOR UPDATE OF v),
            gone AS (
                DELETE FROM {r} AS g USING victims
                WHERE g.scope = victims.scope AND g.holder = victims.holder AND g.original_id = $1
                RETURNING g.scope, g.holder, g.original_id, g.created_at),
            taken AS (
                UPDATE {o} AS o SET
                    reference_count = o.reference_count - n.count,
                    orphaned_at = CASE WHEN o.reference_count = n.count THEN clock_timestamp() ELSE o.orphaned_at END
                FROM (SELECT count(*) AS count FROM gone) AS n
                WHERE o.id = $1 AND n.count > 0
                RETURNING o.id)
            SELECT gone.scope, gone.holder, gone.original_id, gone.created_at FROM gone ORDER BY gone.holder
            """;
    }

    public string Block { get; }
    public string UnblockGlobal { get; }
    public string UnblockScoped { get; }
    public string FindBlock { get; }
    public string FindBlocks { get; }
    public string ListBlocks { get; }
    public string ClaimForPurge { get; }
    public string ClaimDigestForPurge { get; }
    public string ReleaseClaimed { get; }
}
