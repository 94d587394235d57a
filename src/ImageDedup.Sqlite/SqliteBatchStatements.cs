namespace ImageDedup.Sqlite;

/// <summary>
/// The SQL of the store's group-commit methods (<see cref="SqliteBatchWriter"/>): per-item statements
/// that settle the common cases in one or two steps, and set statements over a JSON array of
/// identifiers. Built once per table prefix, like <see cref="SqliteStatements"/>.
/// </summary>
internal sealed class SqliteBatchStatements
{
    private const string Cols = OriginalRow.Columns;

    public SqliteBatchStatements(SqliteStatements sql)
    {
        var o = sql.Originals;
        var r = sql.References;
        var now = SqliteStatements.Now;

        // The live original of a digest and, in the same look, where the holder points now: an ingest
        // of new bytes (no row), or a re-run whose holder already points there, needs nothing more.
        AttachProbe = $"""
            SELECT {Cols}, (SELECT x.original_id FROM {r} AS x WHERE x.scope = @scope AND x.holder = @holder)
            FROM {o} WHERE scope = @scope AND digest = @digest AND state = 1;
            """;

        // A holder that points nowhere yet: its reference is inserted, or nothing happens when it exists.
        InsertReferenceIfAbsent = $"INSERT INTO {r} (scope, holder, original_id, created_at) VALUES (@scope, @holder, @id, {now}) ON CONFLICT (scope, holder) DO NOTHING;";

        // The common promotion: the pending row becomes live unless another live row of its digest
        // won; anything else (lost race, row gone) takes the general path.
        MakeLiveIfFirst = $"""
            UPDATE {o} SET state = 1, updated_at = {now}, orphaned_at = CASE WHEN reference_count = 0 THEN {now} ELSE orphaned_at END
            WHERE id = @id AND state = 0
              AND NOT EXISTS (SELECT 1 FROM {o} AS w WHERE w.scope = {o}.scope AND w.digest = {o}.digest AND w.state = 1)
            RETURNING {Cols};
            """;

        // The commonest promotion of all, a new holder of new bytes, in two statements: the holder's
        // reference is inserted (pointing at the pending row, whose scope it takes), then the row goes
        // live with that one reference. When either finds otherwise (the holder exists, another live
        // row of the digest won), the insert is undone and the general path decides.
        InsertReferenceToPending = $"""
            INSERT INTO {r} (scope, holder, original_id, created_at)
            SELECT scope, @holder, id, {now} FROM {o} WHERE id = @id AND state = 0
            ON CONFLICT (scope, holder) DO NOTHING;
            """;
        MakeLiveWithReference = $"""
            UPDATE {o} SET state = 1, reference_count = reference_count + 1, orphaned_at = NULL, updated_at = {now}
            WHERE id = @id AND state = 0
              AND NOT EXISTS (SELECT 1 FROM {o} AS w WHERE w.scope = {o}.scope AND w.digest = {o}.digest AND w.state = 1)
            RETURNING {Cols};
            """;
        UndoReferenceToPending = $"DELETE FROM {r} WHERE holder = @holder AND original_id = @id;";

        ClaimPendingMany = $"UPDATE {o} SET state = 2, updated_at = {now} WHERE id IN (SELECT value FROM json_each(@ids)) AND state = 0 RETURNING {Cols};";
        DeleteClaimedMany = $"DELETE FROM {o} WHERE id IN (SELECT value FROM json_each(@ids)) AND state = 2;";
    }

    public string AttachProbe { get; }

    public string InsertReferenceIfAbsent { get; }

    public string MakeLiveIfFirst { get; }

    public string InsertReferenceToPending { get; }

    public string MakeLiveWithReference { get; }

    public string UndoReferenceToPending { get; }

    public string ClaimPendingMany { get; }

    public string DeleteClaimedMany { get; }
}
