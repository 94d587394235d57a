-- ImageDedup PostgreSQL schema, version 4: statistics counters.
-- Statistics used to scan every live original on each call. From this version triggers keep, in
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

-- The statement triggers: each statement's rows are summed per scope from its transition tables (the
-- old rows' contributions subtracted, the new rows' added) and every scope whose figures changed gets
-- one call of add_to_counters. A row contributes only while it is counted; a live row its count,
-- bytes, orphan-ness and references, a pending row its count and bytes, a deleting row nothing (its
-- bytes are on their way out). Per statement, not per row: a prefix release or a purge changes
-- thousands of originals of one scope in one statement, and a row trigger wrote the scope's counter
-- row once per original — a chain of thousands of versions of one row in one transaction, each
-- update walking it (benchmarks/scale.sh: three quarters of a 1,000-holder prefix release).
-- One row's contribution entering (sign 1) or leaving (sign -1) the figures of its scope.
CREATE TYPE {schema}.counted_change AS (scope text, state text, reference_count bigint, length bigint, sign integer);

CREATE FUNCTION {schema}.count_originals() RETURNS trigger LANGUAGE plpgsql AS $imagededup$
DECLARE
    v_changes {schema}.counted_change[];
    r record;
BEGIN
    -- Each branch names only the transition tables its event has.
    IF TG_OP = 'INSERT' THEN
        v_changes := ARRAY(SELECT ROW(n.scope, n.state, n.reference_count, n.length, 1)::{schema}.counted_change
                           FROM new_rows AS n WHERE n.counted);
    ELSIF TG_OP = 'DELETE' THEN
        v_changes := ARRAY(SELECT ROW(o.scope, o.state, o.reference_count, o.length, -1)::{schema}.counted_change
                           FROM old_rows AS o WHERE o.counted);
    ELSE
        v_changes := ARRAY(SELECT ROW(n.scope, n.state, n.reference_count, n.length, 1)::{schema}.counted_change
                           FROM new_rows AS n WHERE n.counted
                           UNION ALL
                           SELECT ROW(o.scope, o.state, o.reference_count, o.length, -1)::{schema}.counted_change
                           FROM old_rows AS o WHERE o.counted);
    END IF;

    FOR r IN
        SELECT c.scope,
               coalesce(sum(c.sign) FILTER (WHERE c.state = 'live'), 0)::bigint AS originals,
               coalesce(sum(c.sign * c.length) FILTER (WHERE c.state = 'live'), 0)::bigint AS stored_bytes,
               coalesce(sum(c.sign) FILTER (WHERE c.state = 'live' AND c.reference_count = 0), 0)::bigint AS orphans,
               coalesce(sum(c.sign * c.length) FILTER (WHERE c.state = 'live' AND c.reference_count = 0), 0)::bigint AS orphan_bytes,
               coalesce(sum(c.sign * c.reference_count) FILTER (WHERE c.state = 'live'), 0)::bigint AS refs,
               coalesce(sum(c.sign * c.reference_count * c.length) FILTER (WHERE c.state = 'live'), 0)::bigint AS logical_bytes,
               coalesce(sum(c.sign) FILTER (WHERE c.state = 'pending'), 0)::bigint AS pending,
               coalesce(sum(c.sign * c.length) FILTER (WHERE c.state = 'pending'), 0)::bigint AS pending_bytes
        FROM unnest(v_changes) AS c
        GROUP BY c.scope
        ORDER BY c.scope
    LOOP
        PERFORM {schema}.add_to_counters(TG_TABLE_SCHEMA || chr(31) || r.scope, r.scope,
            r.originals, r.stored_bytes, r.orphans, r.orphan_bytes, r.refs, r.logical_bytes, r.pending, r.pending_bytes);
    END LOOP;
    RETURN NULL;
END
$imagededup$;

CREATE TRIGGER originals_count_insert AFTER INSERT ON {schema}.originals
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.count_originals();

CREATE TRIGGER originals_count_update AFTER UPDATE ON {schema}.originals
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.count_originals();

CREATE TRIGGER originals_count_delete AFTER DELETE ON {schema}.originals
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.count_originals();

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
