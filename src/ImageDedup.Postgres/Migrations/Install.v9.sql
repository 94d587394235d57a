-- ImageDedup PostgreSQL schema, version 9: a statistics counter never makes a writer wait.
-- {schema} is replaced by the quoted schema name before execution, as in Install.v1.sql; the library
-- runs this script after the previous version's, in the same transaction under the same lock.
--
-- Version 4 spread a scope's counters over 16 slots, each written by one transaction at a time
-- (pg_try_advisory_xact_lock), and made the 17th concurrent writer of a scope WAIT for a slot. That
-- wait happens in a statement trigger, after the writer has locked the rows it changed, and the slot's
-- holder may be about to lock one of them (attach re-points, purges, releases by prefix): a lock
-- outside the store's documented order, so a deadlock that PostgreSQL breaks by aborting one side. A
-- writer now takes the lowest slot nobody holds, up to 1,024 of them, and waits only if all 1,024
-- are held at once. Figures are still the sum of a scope's rows.
-- The check on slot widens NOT VALID (existing rows are within 0..15; nothing is rescanned).

ALTER TABLE {schema}.scope_counters DROP CONSTRAINT scope_counters_slot_check;
ALTER TABLE {schema}.scope_counters ADD CONSTRAINT scope_counters_slot_check CHECK (slot BETWEEN 0 AND 1023) NOT VALID;

-- Version 4's add_to_counters with the wider, never-waiting choice of slot.
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
    -- that already wrote slot 0 takes it again). Low slots first, so a quiet scope keeps one row, and
    -- a scope gains a row only while more of its writers overlapped than it has rows. A transaction
    -- may come to hold more than one slot (a lower one freed between two of its statements), but
    -- 1,024 held at once in one scope is far beyond a server's sessions; only then does a writer wait.
    FOR s IN 0..1023 LOOP
        IF pg_try_advisory_xact_lock(hashtextextended(p_lock, s)) THEN
            v_slot := s;
            EXIT;
        END IF;
    END LOOP;
    IF v_slot IS NULL THEN -- 1,024 writers of one scope at once: queue behind one of them
        v_slot := floor(random() * 1024)::smallint;
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
