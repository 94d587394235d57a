-- ImageDedup PostgreSQL schema, version 9: the down script. Never executed by the library.
-- Replace {schema} with your quoted schema name (default "imagededup") and run it by hand before
-- the down scripts of older versions, e.g.
--   sed 's/{schema}/"imagededup"/g' Uninstall.v9.sql | psql -v ON_ERROR_STOP=1 "$DATABASE_URL"
-- Restores version 4's add_to_counters (16 slots, the 17th concurrent writer waits). Counter rows of
-- slots 16 and above are folded into slot 0 of their scope first, so no figure changes. The table is
-- locked against writers first: an increment committed between the fold and the delete would be lost.

BEGIN;
LOCK TABLE {schema}.scope_counters IN SHARE ROW EXCLUSIVE MODE;
INSERT INTO {schema}.scope_counters AS c
    (scope, slot, originals, stored_bytes, orphans, orphan_bytes, "references", logical_bytes, pending, pending_bytes)
SELECT h.scope, 0, sum(h.originals), sum(h.stored_bytes), sum(h.orphans), sum(h.orphan_bytes),
       sum(h."references"), sum(h.logical_bytes), sum(h.pending), sum(h.pending_bytes)
FROM {schema}.scope_counters AS h WHERE h.slot > 15 GROUP BY h.scope
ON CONFLICT (scope, slot) DO UPDATE SET
    originals = c.originals + excluded.originals,
    stored_bytes = c.stored_bytes + excluded.stored_bytes,
    orphans = c.orphans + excluded.orphans,
    orphan_bytes = c.orphan_bytes + excluded.orphan_bytes,
    "references" = c."references" + excluded."references",
    logical_bytes = c.logical_bytes + excluded.logical_bytes,
    pending = c.pending + excluded.pending,
    pending_bytes = c.pending_bytes + excluded.pending_bytes;
DELETE FROM {schema}.scope_counters WHERE slot > 15;
ALTER TABLE {schema}.scope_counters DROP CONSTRAINT scope_counters_slot_check;
ALTER TABLE {schema}.scope_counters ADD CONSTRAINT scope_counters_slot_check CHECK (slot BETWEEN 0 AND 15);
CREATE OR REPLACE FUNCTION {schema}.add_to_counters(
    p_lock text, p_scope text, p_originals bigint, p_stored_bytes bigint, p_orphans bigint, p_orphan_bytes bigint,
    p_references bigint, p_logical_bytes bigint, p_pending bigint, p_pending_bytes bigint)
RETURNS void LANGUAGE plpgsql AS $imagededup$
DECLARE
    v_slot smallint;
BEGIN
    IF p_originals = 0 AND p_stored_bytes = 0 AND p_orphans = 0 AND p_orphan_bytes = 0 AND p_references = 0
       AND p_logical_bytes = 0 AND p_pending = 0 AND p_pending_bytes = 0 THEN
        RETURN;
    END IF;

    -- The lowest slot this transaction holds or can take without waiting (re-entrant: a transaction
    -- that already wrote slot 0 takes it again). Low slots first, so a quiet scope keeps one row.
    FOR s IN 0..15 LOOP
        IF pg_try_advisory_xact_lock(hashtextextended(p_lock, s)) THEN
            v_slot := s;
            EXIT;
        END IF;
    END LOOP;
    IF v_slot IS NULL THEN -- 16 writers in this scope at once: queue behind one of them
        v_slot := floor(random() * 16)::smallint;
        PERFORM pg_advisory_xact_lock(hashtextextended(p_lock, v_slot));
    END IF;

    -- Whoever writes (scope, slot) holds its advisory lock, so neither the insert nor the update waits.
    INSERT INTO {schema}.scope_counters AS c
        (scope, slot, originals, stored_bytes, orphans, orphan_bytes, "references", logical_bytes, pending, pending_bytes)
    VALUES (p_scope, v_slot, p_originals, p_stored_bytes, p_orphans, p_orphan_bytes, p_references, p_logical_bytes, p_pending, p_pending_bytes)
    ON CONFLICT (scope, slot) DO UPDATE SET
        originals = c.originals + excluded.originals,
        stored_bytes = c.stored_bytes + excluded.stored_bytes,
        orphans = c.orphans + excluded.orphans,
        orphan_bytes = c.orphan_bytes + excluded.orphan_bytes,
        "references" = c."references" + excluded."references",
        logical_bytes = c.logical_bytes + excluded.logical_bytes,
        pending = c.pending + excluded.pending,
        pending_bytes = c.pending_bytes + excluded.pending_bytes;
END
$imagededup$;
DELETE FROM {schema}.schema_version WHERE version = 9;
COMMIT;
