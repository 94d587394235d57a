namespace ImageDedup.Sqlite;

/// <summary>
/// The SQL text of the store, built once per table prefix. Values are always bound as parameters;
/// only the validated, quoted table names are spliced in.
/// </summary>
internal sealed class SqliteStatements
{
    /// <summary>The database clock in unix milliseconds; one value per statement.</summary>
    public const string Now = "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)";

    private const string Cols = OriginalRow.Columns;

    public SqliteStatements(string prefix)
    {
        Originals = Quote(prefix + "originals");
        References = Quote(prefix + "references");
        SchemaVersion = Quote(prefix + "schema_version");
        Catalogue = Quote(prefix + "catalogue");
        Takedown = new SqliteTakedownStatements(Originals, References, Quote(prefix + "blocked_digests"));
        var o = Originals;
        var r = References;

        CreateSchemaVersion = $"CREATE TABLE IF NOT EXISTS {SchemaVersion} (version INTEGER NOT NULL PRIMARY KEY, applied_at INTEGER NOT NULL);";
        SelectSchemaVersion = $"SELECT COALESCE(MAX(version), 0) FROM {SchemaVersion};";
        InsertSchemaVersion = $"INSERT INTO {SchemaVersion} (version, applied_at) VALUES (@version, {Now});";

        SelectById = $"SELECT {Cols} FROM {o} WHERE id = @id;";
        SelectLiveById = $"SELECT {Cols} FROM {o} WHERE id = @id AND scope = @scope AND state = 1;";
        SelectLiveByDigest = $"SELECT {Cols} FROM {o} WHERE scope = @scope AND digest = @digest AND state = 1;";
        SelectByHolder = $"SELECT {Cols} FROM {o} WHERE id = (SELECT original_id FROM {r} WHERE scope = @scope AND holder = @holder);";

        InsertPending = $"""
            INSERT INTO {o} (id, scope, digest, length, content_type, storage_key, state, reference_count, created_at, updated_at, orphaned_at, counted)
            VALUES (@id, @scope, @digest, @length, @contentType, @storageKey, 0, 0, {Now}, {Now}, {Now}, 1);
            """;
        MakeLive = $"UPDATE {o} SET state = 1, updated_at = {Now}, orphaned_at = CASE WHEN reference_count = 0 THEN {Now} ELSE orphaned_at END WHERE id = @id AND state = 0;";
        DeletePending = $"DELETE FROM {o} WHERE id = @id AND state = 0;";
        ClaimPending = $"UPDATE {o} SET state = 2, updated_at = {Now} WHERE id = @id AND state = 0 RETURNING {Cols};";
        DeleteClaimed = $"DELETE FROM {o} WHERE id = @id AND state = 2 AND reference_count = 0;";
        RefreshOrphan = $"UPDATE {o} SET orphaned_at = {Now}, updated_at = {Now} WHERE id = @id AND state = 1 AND reference_count = 0;";

        Increment = $"UPDATE {o} SET reference_count = reference_count + 1, orphaned_at = NULL, updated_at = {Now} WHERE id = @id AND state = 1 RETURNING {Cols};";
        // No "state = CASE ... ELSE state END" here: SQLite rewrites the entry of every index whose key
        // or WHERE names an assigned column, changed or not, so assigning state moved a random leaf of
        // the live-digest index into the WAL for every reference released (at 10^6 originals a prefix
        // release wrote 462 such pages per 500 holders, 1.6x its other pages). The claim of an original
        // that reaches zero is ClaimReleased, run for that original only.
        Decrement = $"""
            UPDATE {o} SET
                reference_count = reference_count - @count,
                updated_at = {Now},
                orphaned_at = CASE WHEN reference_count - @count = 0 THEN {Now} ELSE orphaned_at END
            WHERE id = @id
            RETURNING {Cols};
            """;
        ClaimReleased = $"UPDATE {o} SET state = 2, updated_at = {Now} WHERE id = @id AND state = 1 AND reference_count = 0 RETURNING {Cols};";

        SelectHolderTarget = $"SELECT original_id FROM {r} WHERE scope = @scope AND holder = @holder;";
        InsertReference = $"INSERT INTO {r} (scope, holder, original_id, created_at) VALUES (@scope, @holder, @id, {Now});";
        RepointReference = $"UPDATE {r} SET original_id = @id, created_at = {Now} WHERE scope = @scope AND holder = @holder;";
        DeleteReference = $"DELETE FROM {r} WHERE scope = @scope AND holder = @holder RETURNING original_id;";

        // Range scan on the primary key (scope, holder): BINARY collation, so the prefix is literal.
        DeletePrefixRange = $"""
            DELETE FROM {r} WHERE scope = @scope AND holder IN (
                SELECT holder FROM {r} WHERE scope = @scope AND holder >= @prefix AND holder < @upper
                ORDER BY holder LIMIT @limit)
            RETURNING original_id;
            """;
        DeletePrefixOpen = $"""
            DELETE FROM {r} WHERE scope = @scope AND holder IN (
                SELECT holder FROM {r} WHERE scope = @scope AND holder >= @prefix AND substr(holder, 1, length(@prefix)) = @prefix
                ORDER BY holder LIMIT @limit)
            RETURNING original_id;
            """;

        // Ordered by the orphan index's column alone, so the index yields the order and the LIMIT stops
        // the scan: with ", id" every orphan of the same millisecond was sorted first (benchmarks/scale.sh
        // measured 3.2x from 10^4 to 10^6 originals). Which of equally old orphans goes first is immaterial.
        // By rowid, which the orphan index holds: by id, each claimed row was also looked up in the
        // primary-key index.
        ClaimOrphans = $"""
            UPDATE {o} SET state = 2, updated_at = {Now}
            WHERE rowid IN (
                SELECT rowid FROM {o}
                WHERE state = 1 AND reference_count = 0 AND orphaned_at <= {Now} - @graceMs
                  AND (@scope IS NULL OR scope = @scope)
                ORDER BY orphaned_at LIMIT @limit)
            RETURNING {Cols};
            """;

        ListOriginals = $"SELECT {Cols} FROM {o} WHERE (@scope IS NULL OR scope = @scope) AND (@after IS NULL OR id > @after) ORDER BY id LIMIT @limit;";
        // "state <> 1" repeats the partial index's condition word for word: SQLite uses a partial
        // index only when the query implies it, and a bound @state proves nothing, so without it
        // every reconcile scanned the whole table (benchmarks/scale.sh found it).
        ListStale = $"SELECT {Cols} FROM {o} WHERE state = @state AND state <> 1 AND updated_at <= {Now} - @olderThanMs ORDER BY updated_at, id LIMIT @limit;";
        SelectTime = $"SELECT {Now};";
        SelectCatalogueId = $"SELECT id FROM {Catalogue} WHERE singleton = 1;";
        MarkBlobMissing = $"UPDATE {o} SET blob_missing_since = CASE WHEN @missing = 1 THEN COALESCE(blob_missing_since, {Now}) ELSE NULL END WHERE id = @id;";
        ListHolders = $"SELECT scope, holder, original_id, created_at FROM {r} WHERE original_id = @id AND (@after IS NULL OR holder > @after) ORDER BY holder LIMIT @limit;";

        // The figures are sums over the counter rows the triggers of Install.v3.sql keep (one per scope),
        // never a scan of the originals; the last column says whether the upgrade's backfill is done.
        var counters = Quote(prefix + "scope_counters");
        var figures = $"""
            SELECT COALESCE(SUM(originals), 0), COALESCE(SUM(stored_bytes), 0), COALESCE(SUM(orphans), 0),
                   COALESCE(SUM(orphan_bytes), 0), COALESCE(SUM("references"), 0), COALESCE(SUM(logical_bytes), 0),
                   COALESCE(SUM(pending), 0), COALESCE(SUM(pending_bytes), 0),
                   COALESCE((SELECT completed_at IS NOT NULL FROM {Quote(prefix + "counter_backfill")}), 1)
            FROM {counters}
            """;
        Statistics = figures + ";";
        StatisticsInScope = figures + " WHERE scope = @scope;";
    }

    public string Originals { get; }
    public string References { get; }
    public string SchemaVersion { get; }
    public string Catalogue { get; }

    /// <summary>The block list and purge statements.</summary>
    public SqliteTakedownStatements Takedown { get; }

    public string CreateSchemaVersion { get; }
    public string SelectSchemaVersion { get; }
    public string InsertSchemaVersion { get; }

    public string SelectById { get; }
    public string SelectLiveById { get; }
    public string SelectLiveByDigest { get; }
    public string SelectByHolder { get; }
    public string InsertPending { get; }
    public string MakeLive { get; }
    public string DeletePending { get; }
    public string ClaimPending { get; }
    public string DeleteClaimed { get; }
    public string RefreshOrphan { get; }
    public string Increment { get; }
    public string Decrement { get; }
    public string SelectHolderTarget { get; }
    public string InsertReference { get; }
    public string RepointReference { get; }
    public string DeleteReference { get; }
    public string ClaimReleased { get; }
    public string DeletePrefixRange { get; }
    public string DeletePrefixOpen { get; }
    public string ClaimOrphans { get; }
    public string ListOriginals { get; }
    public string ListStale { get; }
    public string SelectTime { get; }

    public string SelectCatalogueId { get; }
    public string MarkBlobMissing { get; }

    /// <summary>Which of a batch of storage keys rows name; the keys are bound as one JSON array.</summary>
    public string FindStorageKeys => $"SELECT storage_key FROM {Originals} WHERE storage_key IN (SELECT value FROM json_each(@keys));";
    public string ListHolders { get; }
    public string Statistics { get; }
    public string StatisticsInScope { get; }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
