namespace ImageDedup.Postgres;

/// <summary>
/// The SQL text of the store for one schema. Values are always bound as parameters; only the quoted
/// schema name is spliced in. Multi-step operations call the plpgsql functions of the install script,
/// so each store call is one statement and one round trip.
/// </summary>
internal sealed class PostgresSql
{
    /// <summary>The original's twelve columns, in the order <see cref="OriginalRows"/> reads them.</summary>
    internal const string Columns = "o.id, o.scope, o.digest, o.length, o.content_type, o.storage_key, o.state, o.reference_count, o.created_at, o.updated_at, o.orphaned_at, o.blob_missing_since";

    public PostgresSql(string schema)
    {
        SchemaName = schema;
        Schema = QuoteIdentifier(schema);
        var s = Schema;
        var o = $"{s}.originals";
        var r = $"{s}.\"references\"";
        VersionTable = $"{s}.schema_version";
        SelectCatalogueId = $"SELECT c.id FROM {s}.catalogue AS c";

        SelectById = $"SELECT {Columns} FROM {o} AS o WHERE o.id = $1";
        SelectLiveByDigest = $"SELECT {Columns} FROM {o} AS o WHERE o.scope = $1 AND o.digest = $2 AND o.state = 'live'";
        SelectByHolder = $"SELECT {Columns} FROM {r} AS r JOIN {o} AS o ON o.id = r.original_id WHERE r.scope = $1 AND r.holder = $2";

        InsertPending = $"""
            INSERT INTO {o} (id, scope, digest, length, content_type, storage_key, state, orphaned_at)
            VALUES ($1, $2, $3, $4, $5, $6, 'pending', clock_timestamp())
            """;
        DeletePending = $"DELETE FROM {o} WHERE id = $1 AND state = 'pending'";
        DeleteClaimed = $"DELETE FROM {o} WHERE id = $1 AND state = 'deleting' AND reference_count = 0";
        ClaimPending = $"UPDATE {o} AS o SET state = 'deleting' WHERE o.id = $1 AND o.state = 'pending' RETURNING {Columns}";

        TryAttach = $"SELECT * FROM {s}.try_attach($1, $2, $3, $4)";
        Promote = $"SELECT * FROM {s}.promote($1, $2, $3)";
        Attach = $"SELECT * FROM {s}.attach($1, $2, $3, $4)";
        ReleasePrefix = $"SELECT * FROM {s}.release_prefix($1, $2, $3, $4, $5)";

        // One statement: the delete locks the reference row, the update the original it pointed at
        // (never more than one original, so no lock order to keep).
        Release = $"""
            WITH gone AS (DELETE FROM {r} AS r WHERE r.scope = $1 AND r.holder = $2 RETURNING r.original_id)
            UPDATE {o} AS o SET
                reference_count = o.reference_count - 1,
                orphaned_at = CASE WHEN o.reference_count = 1 THEN clock_timestamp() ELSE o.orphaned_at END,
                state = CASE WHEN o.reference_count = 1 AND $3 THEN 'deleting' ELSE o.state END
            FROM gone WHERE o.id = gone.original_id
            RETURNING {Columns}
            """;

        // SKIP LOCKED: concurrent collectors take disjoint rows and never wait for each other. The pick
        // is a MATERIALIZED CTE so it runs once; as a join input it could be rescanned past its LIMIT.
        // Ordered by orphaned_at alone, which the orphan index yields: a tie-break on id would sort every
        // orphan of one instant first, and a prefix release orphans thousands in one transaction (one now()).
        // Which of equally old orphans goes first is immaterial.
        const string claim = """
            WITH pick AS MATERIALIZED (
                SELECT c.id FROM {0} AS c
                WHERE c.state = 'live' AND c.reference_count = 0 AND c.orphaned_at <= clock_timestamp() - $1 {1}
                ORDER BY c.orphaned_at LIMIT $2
                FOR NO KEY UPDATE SKIP LOCKED)
            UPDATE {0} AS o SET state = 'deleting'
            FROM pick
            WHERE o.id = pick.id AND o.state = 'live' AND o.reference_count = 0
            RETURNING {2}
            """;
        ClaimOrphans = string.Format(System.Globalization.CultureInfo.InvariantCulture, claim, o, string.Empty, Columns);
        ClaimOrphansInScope = string.Format(System.Globalization.CultureInfo.InvariantCulture, claim, o, "AND c.scope = $3", Columns);

        ListOriginalsFirst = $"SELECT {Columns} FROM {o} AS o WHERE o.scope = $1 ORDER BY o.id LIMIT $2";
        ListOriginalsAfter = $"SELECT {Columns} FROM {o} AS o WHERE o.scope = $1 AND o.id > $3 ORDER BY o.id LIMIT $2";
        ListAllOriginalsFirst = $"SELECT {Columns} FROM {o} AS o ORDER BY o.id LIMIT $1";
        ListAllOriginalsAfter = $"SELECT {Columns} FROM {o} AS o WHERE o.id > $2 ORDER BY o.id LIMIT $1";
        // "state <> 'live'" repeats the partial index's condition (originals_unsettled_ids): a generic plan
        // for a bound $1 could not otherwise prove the index applies and would scan every row.
        ListStale = $"SELECT {Columns} FROM {o} AS o WHERE o.state = $1 AND o.state <> 'live' AND o.updated_at <= clock_timestamp() - $2 ORDER BY o.updated_at, o.id LIMIT $3";
        FindStorageKeys = $"SELECT o.storage_key FROM {o} AS o WHERE o.storage_key = ANY ($1)";
        MarkBlobMissing = $"UPDATE {o} AS o SET blob_missing_since = CASE WHEN $2 THEN coalesce(o.blob_missing_since, clock_timestamp()) END WHERE o.id = $1";
        ListHoldersFirst = $"SELECT r.scope, r.holder, r.original_id, r.created_at FROM {r} AS r WHERE r.original_id = $1 ORDER BY r.holder LIMIT $2";
        ListHoldersAfter = $"SELECT r.scope, r.holder, r.original_id, r.created_at FROM {r} AS r WHERE r.original_id = $1 AND r.holder > $3 ORDER BY r.holder LIMIT $2";

        Takedown = new PostgresTakedownSql(s, o, r, Columns);

        // The figures are sums over the counter slots the trigger of Install.v4.sql keeps (a row per writer
        // that overlapped others of the scope, Install.v9.sql), never a scan of the originals; the last column says whether the upgrade's backfill is done.
        const string statistics = """
            SELECT coalesce(sum(c.originals), 0)::bigint, coalesce(sum(c.stored_bytes), 0)::bigint,
                   coalesce(sum(c.orphans), 0)::bigint, coalesce(sum(c.orphan_bytes), 0)::bigint,
                   coalesce(sum(c."references"), 0)::bigint, coalesce(sum(c.logical_bytes), 0)::bigint,
                   coalesce(sum(c.pending), 0)::bigint, coalesce(sum(c.pending_bytes), 0)::bigint,
                   coalesce((SELECT b.completed_at IS NOT NULL FROM {0}.counter_backfill AS b), true)
            FROM {0}.scope_counters AS c {1}
            """;
        Statistics = string.Format(System.Globalization.CultureInfo.InvariantCulture, statistics, s, string.Empty);
        StatisticsInScope = string.Format(System.Globalization.CultureInfo.InvariantCulture, statistics, s, "WHERE c.scope = $1");
    }

    /// <summary>The schema name as configured (unquoted).</summary>
    public string SchemaName { get; }

    /// <summary>The schema name, quoted.</summary>
    public string Schema { get; }

    public string VersionTable { get; }

    /// <summary>The block list and purge statements (Install.v7.sql).</summary>
    public PostgresTakedownSql Takedown { get; }

    public string SelectById { get; }
    public string SelectLiveByDigest { get; }
    public string SelectByHolder { get; }
    public string InsertPending { get; }
    public string DeletePending { get; }
    public string ClaimPending { get; }
    public string DeleteClaimed { get; }
    public string TryAttach { get; }
    public string Promote { get; }
    public string Attach { get; }
    public string ReleasePrefix { get; }
    public string Release { get; }
    public string ClaimOrphans { get; }
    public string ClaimOrphansInScope { get; }
    public string ListOriginalsFirst { get; }
    public string ListOriginalsAfter { get; }
    public string ListAllOriginalsFirst { get; }
    public string ListAllOriginalsAfter { get; }
    public string ListStale { get; }
    public string FindStorageKeys { get; }
    public string MarkBlobMissing { get; }
    public string SelectCatalogueId { get; }

    /// <summary>The database clock every grace period is measured against.</summary>
    public static string Time => "SELECT clock_timestamp()";
    public string ListHoldersFirst { get; }
    public string ListHoldersAfter { get; }
    public string Statistics { get; }
    public string StatisticsInScope { get; }

    /// <summary>Quotes an identifier the way PostgreSQL reads it: inside double quotes, quotes doubled.</summary>
    public static string QuoteIdentifier(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
