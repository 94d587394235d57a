-- ImageDedup PostgreSQL schema, version 5 (indexes that let a reference-count change be a HOT update):
-- the down script, back to version 4. Never executed by the library. Replace {schema} as for
-- Uninstall.v1.sql and run it by hand after Uninstall.v6.sql and before Uninstall.v4.sql, e.g.
--   sed 's/{schema}/"imagededup"/g' Uninstall.v5.sql | psql -v ON_ERROR_STOP=1 "$DATABASE_URL"
-- Restores version 1's orphan and unsettled indexes and its release_prefix. On a large catalogue, build them first with
-- CREATE INDEX CONCURRENTLY (outside this script) under the same names, then run it: IF NOT EXISTS
-- skips them here.

BEGIN;
CREATE INDEX IF NOT EXISTS originals_orphans ON {schema}.originals (orphaned_at, scope) WHERE state = 'live' AND reference_count = 0;
CREATE INDEX IF NOT EXISTS originals_unsettled ON {schema}.originals (state, updated_at) WHERE state <> 'live';
DROP INDEX IF EXISTS {schema}.originals_orphaned;
DROP INDEX IF EXISTS {schema}.originals_unsettled_ids;
ALTER TABLE {schema}.originals RESET (fillfactor);
-- Version 1's release_prefix.
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
            EXIT WHEN NOT EXISTS (
                SELECT 1 FROM {schema}."references" AS r
                WHERE r.scope = p_scope AND r.holder >= p_lower
                  AND (CASE WHEN p_upper IS NULL THEN starts_with(r.holder, p_lower) ELSE r.holder < p_upper END));
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
DELETE FROM {schema}.schema_version WHERE version = 5;
COMMIT;
