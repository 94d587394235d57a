-- ImageDedup PostgreSQL schema, version 5: a reference count that changes is a HOT update, and a
-- prefix release costs the holders it releases.
-- {schema} is replaced by the quoted schema name before execution, as in Install.v1.sql; the library
-- runs this script after the previous version's, in the same transaction under the same lock.
--
-- Every add and release used to write a new entry into every index of originals, because PostgreSQL
-- updates a row in place (HOT, heap-only) only when no indexed column changes and the page has room,
-- and two indexes stood in the way: the orphan index named reference_count in its predicate, and the
-- unsettled index had updated_at (which the touch trigger changes on every update) as a key. At 10^6
-- originals a 1,000-holder prefix release took twice as long as at 10^4 (benchmarks/scale.sh), most
-- of it inserting into random-keyed indexes (storage_key, scope + digest) that no longer fit in memory.
--
-- The replacements select the same rows:
-- - originals_orphaned (orphaned_at, scope) WHERE state = 'live' AND orphaned_at IS NOT NULL: the
--   check constraint originals_orphaned_iff_unreferenced makes "orphaned_at IS NOT NULL" the same as
--   "reference_count = 0", and the collector's "orphaned_at <= …" implies it;
-- - originals_unsettled_ids (state, id) WHERE state <> 'live': reconcile sorts the stale rows it reads
--   by updated_at itself; unsettled rows are the few of ingests in flight and what crashes left.
-- and originals gets fillfactor 90, so an updated row finds room on its own page.
--
-- An empty table (a new catalogue) swaps the indexes here. A table with rows keeps both sets until
-- the store builds the new ones with CREATE INDEX CONCURRENTLY after the migration commits and then
-- drops the old ones (PostgresIndexUpgrade): building an index reads every row, which must not happen
-- under the migration lock. Until then both sets are in use and updates stay as they were. Installing by
-- hand on a table with rows, run afterwards, outside a transaction:
--   CREATE INDEX CONCURRENTLY originals_orphaned ON {schema}.originals (orphaned_at, scope) WHERE state = 'live' AND orphaned_at IS NOT NULL;
--   CREATE INDEX CONCURRENTLY originals_unsettled_ids ON {schema}.originals (state, id) WHERE state <> 'live';
--   DROP INDEX CONCURRENTLY {schema}.originals_orphans;
--   DROP INDEX CONCURRENTLY {schema}.originals_unsettled;

ALTER TABLE {schema}.originals SET (fillfactor = 90);

DO $imagededup$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM {schema}.originals) THEN
        DROP INDEX {schema}.originals_orphans;
        DROP INDEX {schema}.originals_unsettled;
        CREATE INDEX originals_orphaned ON {schema}.originals (orphaned_at, scope) WHERE state = 'live' AND orphaned_at IS NOT NULL;
        CREATE INDEX originals_unsettled_ids ON {schema}.originals (state, id) WHERE state <> 'live';
    END IF;
END
$imagededup$;

-- release_prefix: when a batch found nothing to take, it checked whether any holder of the prefix was
-- left with "holder < p_upper" inside a CASE, which no index condition can use: the check read every
-- holder of the scope after the prefix. The last call of every prefix release makes that check, so a
-- 1,000-holder release in a scope of 168,000 holders took four times as long as in a scope of 1,700
-- (benchmarks/scale.sh). The same function with the check split by its two bounds; nothing else changes.
CREATE OR REPLACE FUNCTION {schema}.release_prefix(p_scope text, p_lower text, p_upper text, p_batch integer, p_claim boolean)
RETURNS SETOF {schema}.original_change LANGUAGE plpgsql AS $imagededup$
DECLARE
    v_ids uuid[] := '{}';
    v_taken uuid[];
    v_released integer := 0;
    v_n integer;
BEGIN
    LOOP
        -- Lock order 2: reference rows in holder order. A row another release deleted while this one
        -- waited is skipped, so the loop tops the batch up from a fresh snapshot.
        IF p_upper IS NULL THEN
            WITH victims AS (
                SELECT r.scope, r.holder FROM {schema}."references" AS r
                WHERE r.scope = p_scope AND r.holder >= p_lower AND starts_with(r.holder, p_lower)
                ORDER BY r.holder LIMIT p_batch - v_released FOR UPDATE),
            gone AS (
                DELETE FROM {schema}."references" AS r USING victims AS v
                WHERE r.scope = v.scope AND r.holder = v.holder RETURNING r.original_id)
            SELECT array_agg(gone.original_id) INTO v_taken FROM gone;
        ELSE
            WITH victims AS (
                SELECT r.scope, r.holder FROM {schema}."references" AS r
                WHERE r.scope = p_scope AND r.holder >= p_lower AND r.holder < p_upper
                ORDER BY r.holder LIMIT p_batch - v_released FOR UPDATE),
            gone AS (
                DELETE FROM {schema}."references" AS r USING victims AS v
                WHERE r.scope = v.scope AND r.holder = v.holder RETURNING r.original_id)
            SELECT array_agg(gone.original_id) INTO v_taken FROM gone;
        END IF;
        v_n := coalesce(cardinality(v_taken), 0);
        v_ids := v_ids || coalesce(v_taken, '{}');
        v_released := v_released + v_n;
        EXIT WHEN v_released >= p_batch;
        IF v_n = 0 THEN
            -- Each bound in the index condition: under a CASE, "holder < p_upper" bounded nothing and the
            -- check read every holder of the scope after p_lower.
            IF p_upper IS NULL THEN
                EXIT WHEN NOT EXISTS (
                    SELECT 1 FROM {schema}."references" AS r
                    WHERE r.scope = p_scope AND r.holder >= p_lower AND starts_with(r.holder, p_lower));
            ELSE
                EXIT WHEN NOT EXISTS (
                    SELECT 1 FROM {schema}."references" AS r
                    WHERE r.scope = p_scope AND r.holder >= p_lower AND r.holder < p_upper);
            END IF;
        END IF;
    END LOOP;

    RETURN QUERY SELECT 0::smallint, false, NULL::uuid, p_scope, NULL::text, NULL::bigint, NULL::text,
        NULL::text, NULL::text, v_released::bigint, NULL::timestamptz, NULL::timestamptz, NULL::timestamptz, NULL::timestamptz;
    IF v_released = 0 THEN
        RETURN;
    END IF;

    -- Lock order 3: originals by id, then take each one's references in one update.
    PERFORM 1 FROM {schema}.originals AS o WHERE o.id = ANY (v_ids) ORDER BY o.id FOR NO KEY UPDATE;
    RETURN QUERY
        WITH counts AS (
            SELECT t.id, count(*) AS n FROM unnest(v_ids) AS t(id) GROUP BY t.id),
        changed AS (
            UPDATE {schema}.originals AS o SET
                reference_count = o.reference_count - c.n,
                orphaned_at = CASE WHEN o.reference_count = c.n THEN clock_timestamp() ELSE o.orphaned_at END,
                state = CASE WHEN o.reference_count = c.n AND p_claim THEN 'deleting' ELSE o.state END
            FROM counts AS c WHERE o.id = c.id
            RETURNING o.id, o.scope, o.digest, o.length, o.content_type, o.storage_key,
                      o.state, o.reference_count, o.created_at, o.updated_at, o.orphaned_at, o.blob_missing_since)
        SELECT 1::smallint, false, ch.* FROM changed AS ch WHERE ch.reference_count = 0 ORDER BY ch.id;
END
$imagededup$;
