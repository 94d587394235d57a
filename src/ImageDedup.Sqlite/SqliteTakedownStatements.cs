namespace ImageDedup.Sqlite;

/// <summary>The SQL of the takedown capability (block list and purge, Install.v4.sql), built once per table prefix.</summary>
internal sealed class SqliteTakedownStatements
{
    private const string Now = SqliteStatements.Now;
    private const string Cols = OriginalRow.Columns;
    private const string EntryCols = "scope, digest, reason, blocked_by, blocked_at";

    public SqliteTakedownStatements(string originals, string references, string blocks)
    {
        var o = originals;
        var r = references;
        var b = blocks;

        // Two lookups, each on its partial unique index: an OR of both would leave SQLite a table scan
        // of a block list that may hold a large hash list.
        IsBlocked = $"""
            SELECT EXISTS (SELECT 1 FROM {b} WHERE digest = @digest AND scope IS NULL)
                OR EXISTS (SELECT 1 FROM {b} WHERE digest = @digest AND scope = @scope);
            """;
        // Whether the block list refuses the digest of an original in its scope (a group promotion's check).
        IsOriginalBlocked = $"""
            SELECT EXISTS (SELECT 1 FROM {o} AS p JOIN {b} AS x ON x.digest = p.digest AND x.scope IS NULL WHERE p.id = @id)
                OR EXISTS (SELECT 1 FROM {o} AS p JOIN {b} AS x ON x.digest = p.digest AND x.scope = p.scope WHERE p.id = @id);
            """;
        FindBlock = $"""
            SELECT {EntryCols} FROM (
                SELECT 0 AS rank, {EntryCols} FROM {b} WHERE digest = @digest AND scope = @scope
                UNION ALL
                SELECT 1 AS rank, {EntryCols} FROM {b} WHERE digest = @digest AND scope IS NULL)
            ORDER BY rank LIMIT 1;
            """;
        // Every entry that refuses one of the digests in the scope, the scope's own before the global one.
        FindBlocks = $"SELECT {EntryCols} FROM {b} WHERE digest IN (SELECT value FROM json_each(@digests)) AND (scope = @scope OR scope IS NULL) ORDER BY digest, scope IS NULL;";
        const string update = "DO UPDATE SET reason = excluded.reason, blocked_by = excluded.blocked_by, blocked_at = excluded.blocked_at";
        BlockGlobal = $"""
            INSERT INTO {b} (scope, digest, reason, blocked_by, blocked_at) VALUES (NULL, @digest, @reason, @by, {Now})
            ON CONFLICT (digest) WHERE scope IS NULL {update}
            RETURNING {EntryCols};
            """;
        BlockScoped = $"""
            INSERT INTO {b} (scope, digest, reason, blocked_by, blocked_at) VALUES (@scope, @digest, @reason, @by, {Now})
            ON CONFLICT (digest, scope) WHERE scope IS NOT NULL {update}
            RETURNING {EntryCols};
            """;
        UnblockGlobal = $"DELETE FROM {b} WHERE digest = @digest AND scope IS NULL;";
        UnblockScoped = $"DELETE FROM {b} WHERE digest = @digest AND scope = @scope;";
        ListBlocks = $"SELECT id, {EntryCols} FROM {b} WHERE (@scope IS NULL OR scope = @scope) AND (@after IS NULL OR id > @after) ORDER BY id LIMIT @limit;";

        // The purge's claim: live -> deleting whatever the count; a deleting row is taken as it is.
        ClaimLive = $"UPDATE {o} SET state = 2, updated_at = {Now} WHERE id = @id AND state = 1 RETURNING {Cols};";
        SelectDeleting = $"SELECT {Cols} FROM {o} WHERE id = @id AND state = 2;";
        ClaimDigest = $"""
            UPDATE {o} SET state = 2, updated_at = {Now}
            WHERE id IN (
                SELECT id FROM {o}
                WHERE digest = @digest AND state <> 0 AND (@scope IS NULL OR scope = @scope) AND (@after IS NULL OR id > @after)
                ORDER BY id LIMIT @limit)
            RETURNING {Cols};
            """;

        // A batch of a claimed original's references, in holder order on (original_id, holder).
        ReleaseClaimed = $"""
            DELETE FROM {r} WHERE (scope, holder) IN (
                SELECT scope, holder FROM {r} WHERE original_id = @id ORDER BY holder LIMIT @limit)
            RETURNING scope, holder, original_id, created_at;
            """;
        TakeClaimed = $"""
            UPDATE {o} SET
                reference_count = reference_count - @count,
                updated_at = {Now},
                orphaned_at = CASE WHEN reference_count - @count = 0 THEN {Now} ELSE orphaned_at END
            WHERE id = @id AND state = 2;
            """;
    }

    public string IsBlocked { get; }
    public string IsOriginalBlocked { get; }
    public string FindBlock { get; }
    public string FindBlocks { get; }
    public string BlockGlobal { get; }
    public string BlockScoped { get; }
    public string UnblockGlobal { get; }
    public string UnblockScoped { get; }
    public string ListBlocks { get; }
    public string ClaimLive { get; }
    public string SelectDeleting { get; }
    public string ClaimDigest { get; }
    public string ReleaseClaimed { get; }
    public string TakeClaimed { get; }
}
