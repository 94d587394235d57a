-- ImageDedup PostgreSQL schema, version 4: statistics counters.
-- Statistics used to scan every live original on each call. From this version a trigger keeps, in
-- the same transaction as every change to an originals row, the sums the figures derive from (live
-- originals and their bytes, orphans and their bytes, references, logical bytes, pending originals
-- and their bytes) in {schema}.scope_counters. Statistics read at most 16 rows per scope, and the
-- figures are live: a committed change is in them, an uncommitted one is not.
--
-- No hot row: a scope's sums are spread over up to 16 slots (scope, slot), and a change adds its
-- delta to the first slot no other transaction is writing (pg_try_advisory_xact_lock per slot, so a
-- writer never waits on another's counter row and counters add no lock to the store's lock order).
-- Only when 16 transactions write the same scope at once does the next one wait for a slot. Figures
-- are the sum over a scope's slots; the global figures the sum over every row.
--
-- Upgrading does not count existing rows here (that would hold the migration lock through a scan of
-- every row). The new column originals.counted says whether a row's contribution is in the counters:
-- rows that exist when this script runs get false (a constant default: no table rewrite), rows
-- inserted afterwards true. The trigger counts a row only while it is counted, so setting counted
-- from false to true adds exactly its contribution. backfill_counters() does that in small keyset
-- batches after the migration commits; until it finishes, counter_backfill.completed_at is null and
-- the statistics say they are incomplete. An application role needs the grants of README.md (the
-- new tables are covered by "ALL TABLES").

ALTER TABLE {schema}.originals ADD COLUMN counted boolean NOT NULL DEFAULT false;
ALTER TABLE {schema}.originals ALTER COLUMN counted SET DEFAULT true;

CREATE TABLE {schema}.scope_counters (
    scope           text     NOT NULL,
    slot            smallint NOT NULL CHECK (slot BETWEEN 0 AND 15),
    originals       bigint   NOT NULL DEFAULT 0, -- live originals
    stored_bytes    bigint   NOT NULL DEFAULT 0, -- their bytes
    orphans         bigint   NOT NULL DEFAULT 0, -- live originals without references
    orphan_bytes    bigint   NOT NULL DEFAULT 0,
    "references"    bigint   NOT NULL DEFAULT 0, -- sum of reference_count over live originals
    logical_bytes   bigint   NOT NULL DEFAULT 0, -- sum of reference_count * length over live originals
    pending         bigint   NOT NULL DEFAULT 0, -- pending originals (ingests in flight or crashed)
    pending_bytes   bigint   NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, slot)
);

-- The backfill's progress: the last original id it counted, and when it finished. Complete at once
-- on a fresh install (nothing to count); EXISTS reads one row at most.
CREATE TABLE {schema}.counter_backfill (
    singleton    boolean     NOT NULL PRIMARY KEY DEFAULT true CHECK (singleton),
    after_id     uuid        NULL,
    completed_at timestamptz NULL
);

INSERT INTO {schema}.counter_backfill (completed_at)
SELECT CASE WHEN EXISTS (SELECT 1 FROM {schema}.originals) THEN NULL ELSE clock_timestamp() END;

-- Adds one delta to a free slot of the scope. p_lock names the scope in the advisory-lock space
-- (schema and scope, so two schemas in one database do not share slots).
CREATE FUNCTION {schema}.add_to_counters(
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

-- The row trigger: subtracts the old row's contribution and adds the new one's. A row contributes
-- only while it is counted; a live row its count, bytes, orphan-ness and references, a pending row
-- its count and bytes, a deleting row nothing (its bytes are on their way out).
CREATE FUNCTION {schema}.count_original() RETURNS trigger LANGUAGE plpgsql AS $imagededup$
DECLARE
    d_originals bigint := 0; d_stored bigint := 0; d_orphans bigint := 0; d_orphan_bytes bigint := 0;
    d_references bigint := 0; d_logical bigint := 0; d_pending bigint := 0; d_pending_bytes bigint := 0;
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.counted THEN
        IF OLD.state = 'live' THEN
            d_originals := -1;
            d_stored := -OLD.length;
            IF OLD.reference_count = 0 THEN
                d_orphans := -1;
                d_orphan_bytes := -OLD.length;
            END IF;
            d_references := -OLD.reference_count;
            d_logical := -(OLD.reference_count * OLD.length);
        ELSIF OLD.state = 'pending' THEN
            d_pending := -1;
            d_pending_bytes := -OLD.length;
        END IF;
    END IF;

    IF TG_OP = 'UPDATE' AND NEW.scope IS DISTINCT FROM OLD.scope THEN -- never done by the store; kept exact anyway
        PERFORM {schema}.add_to_counters(TG_TABLE_SCHEMA || chr(31) || OLD.scope, OLD.scope,
            d_originals, d_stored, d_orphans, d_orphan_bytes, d_references, d_logical, d_pending, d_pending_bytes);
        d_originals := 0; d_stored := 0; d_orphans := 0; d_orphan_bytes := 0;
        d_references := 0; d_logical := 0; d_pending := 0; d_pending_bytes := 0;
    END IF;

    IF TG_OP <> 'DELETE' AND NEW.counted THEN
        IF NEW.state = 'live' THEN
            d_originals := d_originals + 1;
            d_stored := d_stored + NEW.length;
            IF NEW.reference_count = 0 THEN
                d_orphans := d_orphans + 1;
                d_orphan_bytes := d_orphan_bytes + NEW.length;
            END IF;
            d_references := d_references + NEW.reference_count;
            d_logical := d_logical + NEW.reference_count * NEW.length;
        ELSIF NEW.state = 'pending' THEN
            d_pending := d_pending + 1;
            d_pending_bytes := d_pending_bytes + NEW.length;
        END IF;
    END IF;

    IF TG_OP = 'DELETE' THEN
        PERFORM {schema}.add_to_counters(TG_TABLE_SCHEMA || chr(31) || OLD.scope, OLD.scope,
            d_originals, d_stored, d_orphans, d_orphan_bytes, d_references, d_logical, d_pending, d_pending_bytes);
    ELSE
        PERFORM {schema}.add_to_counters(TG_TABLE_SCHEMA || chr(31) || NEW.scope, NEW.scope,
            d_originals, d_stored, d_orphans, d_orphan_bytes, d_references, d_logical, d_pending, d_pending_bytes);
    END IF;
    RETURN NULL;
END
$imagededup$;

CREATE TRIGGER originals_count_insert AFTER INSERT ON {schema}.originals
    FOR EACH ROW WHEN (NEW.counted) EXECUTE FUNCTION {schema}.count_original();

-- Updates that change none of the figures' inputs (orphan times, blob-missing marks) skip the trigger.
CREATE TRIGGER originals_count_update AFTER UPDATE ON {schema}.originals
    FOR EACH ROW WHEN (OLD.counted IS DISTINCT FROM NEW.counted
        OR (NEW.counted AND (OLD.state, OLD.reference_count, OLD.length, OLD.scope)
                IS DISTINCT FROM (NEW.state, NEW.reference_count, NEW.length, NEW.scope)))
    EXECUTE FUNCTION {schema}.count_original();

CREATE TRIGGER originals_count_delete AFTER DELETE ON {schema}.originals
    FOR EACH ROW WHEN (OLD.counted) EXECUTE FUNCTION {schema}.count_original();

-- TRUNCATE fires no row trigger: it forgets the counters with the rows.
CREATE FUNCTION {schema}.forget_counters() RETURNS trigger LANGUAGE plpgsql AS $imagededup$
BEGIN
    DELETE FROM {schema}.scope_counters;
    RETURN NULL;
END
$imagededup$;

CREATE TRIGGER originals_count_truncate AFTER TRUNCATE ON {schema}.originals
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.forget_counters();

-- Marking a row counted is bookkeeping, not a change of the original: it must not refresh
-- updated_at, which reconcile reads to find stale pending and deleting rows.
DROP TRIGGER originals_updated_at ON {schema}.originals;
CREATE TRIGGER originals_updated_at BEFORE UPDATE ON {schema}.originals
    FOR EACH ROW WHEN (OLD.counted IS NOT DISTINCT FROM NEW.counted)
    EXECUTE FUNCTION {schema}.touch_updated_at();

-- Counts up to p_batch more existing originals, in id order after the last batch, and returns true
-- once every row is counted. Each call is one short transaction; concurrent callers take turns on
-- the progress row, so they share the work instead of repeating it.
CREATE FUNCTION {schema}.backfill_counters(p_batch integer)
RETURNS boolean LANGUAGE plpgsql AS $imagededup$
DECLARE
    v_after uuid;
    v_done timestamptz;
    v_ids uuid[];
    v_seen integer;
BEGIN
    SELECT b.after_id, b.completed_at INTO v_after, v_done FROM {schema}.counter_backfill AS b FOR UPDATE;
    IF NOT FOUND OR v_done IS NOT NULL THEN
        RETURN true;
    END IF;

    -- Two statements rather than one with "v_after IS NULL OR": a cached generic plan of that
    -- would read the primary key from its start on every batch.
    IF v_after IS NULL THEN
        SELECT array_agg(b.id ORDER BY b.id) INTO v_ids
        FROM (SELECT o.id FROM {schema}.originals AS o ORDER BY o.id LIMIT p_batch) AS b;
    ELSE
        SELECT array_agg(b.id ORDER BY b.id) INTO v_ids
        FROM (SELECT o.id FROM {schema}.originals AS o WHERE o.id > v_after ORDER BY o.id LIMIT p_batch) AS b;
    END IF;
    v_seen := coalesce(cardinality(v_ids), 0);

    UPDATE {schema}.originals AS o SET counted = true WHERE o.id = ANY (v_ids) AND NOT o.counted;

    IF v_seen < p_batch THEN
        UPDATE {schema}.counter_backfill SET after_id = coalesce(v_ids[v_seen], v_after), completed_at = clock_timestamp();
        RETURN true;
    END IF;
    UPDATE {schema}.counter_backfill SET after_id = v_ids[v_seen];
    RETURN false;
END
$imagededup$;
