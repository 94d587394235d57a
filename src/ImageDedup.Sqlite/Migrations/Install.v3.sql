-- ImageDedup SQLite schema, version 3: statistics counters.
-- Statistics used to scan every live original on each call. From this version triggers keep, in the
-- same transaction as every change to an originals row, the sums the figures derive from (live
-- originals and their bytes, orphans and their bytes, references, logical bytes, pending originals
-- and their bytes) in one row per scope of "{prefix}scope_counters". SQLite has one writer at a
-- time, so one row per scope serialises nothing that was not serialised already. The figures are
-- live: a committed change is in them.
--
-- Upgrading does not count existing rows here (that would hold the write lock through a scan of
-- every row). The new column counted says whether a row's contribution is in the counters: rows that
-- exist when this script runs read 0 (ADD COLUMN with a constant default rewrites nothing). SQLite
-- cannot change a column's default afterwards, so EVERY INSERT INTO originals MUST SET counted = 1.
-- The triggers count a row only while counted = 1, so setting it from 0 to 1 adds exactly its
-- contribution; the store does that in small keyset batches after the migration commits, and until
-- it finishes "{prefix}counter_backfill".completed_at is null and the statistics say they are
-- incomplete.

ALTER TABLE "{prefix}originals" ADD COLUMN counted INTEGER NOT NULL DEFAULT 0;

CREATE TABLE "{prefix}scope_counters" (
    scope         TEXT    NOT NULL PRIMARY KEY,
    originals     INTEGER NOT NULL DEFAULT 0, -- live originals
    stored_bytes  INTEGER NOT NULL DEFAULT 0, -- their bytes
    orphans       INTEGER NOT NULL DEFAULT 0, -- live originals without references
    orphan_bytes  INTEGER NOT NULL DEFAULT 0,
    "references"  INTEGER NOT NULL DEFAULT 0, -- sum of reference_count over live originals
    logical_bytes INTEGER NOT NULL DEFAULT 0, -- sum of reference_count * length over live originals
    pending       INTEGER NOT NULL DEFAULT 0, -- pending originals (ingests in flight or crashed)
    pending_bytes INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- The backfill's progress: the last original id it counted, and when it finished. Complete at once
-- on a fresh install (nothing to count).
CREATE TABLE "{prefix}counter_backfill" (
    singleton    INTEGER NOT NULL PRIMARY KEY CHECK (singleton = 1),
    after_id     TEXT    NULL,
    completed_at INTEGER NULL
);

INSERT INTO "{prefix}counter_backfill" (singleton, after_id, completed_at)
SELECT 1, NULL, CASE WHEN EXISTS (SELECT 1 FROM "{prefix}originals") THEN NULL
                     ELSE CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) END;

-- A row contributes only while counted: a live row its count, bytes, orphan-ness and references, a
-- pending row its count and bytes, a deleting row nothing (its bytes are on their way out).
CREATE TRIGGER "{prefix}originals_count_insert" AFTER INSERT ON "{prefix}originals"
WHEN NEW.counted = 1
BEGIN
    INSERT INTO "{prefix}scope_counters" (scope, originals, stored_bytes, orphans, orphan_bytes, "references", logical_bytes, pending, pending_bytes)
    SELECT NEW.scope, (CASE WHEN NEW.state = 1 THEN 1 ELSE 0 END), (CASE WHEN NEW.state = 1 THEN NEW.length ELSE 0 END), (CASE WHEN NEW.state = 1 AND NEW.reference_count = 0 THEN 1 ELSE 0 END), (CASE WHEN NEW.state = 1 AND NEW.reference_count = 0 THEN NEW.length ELSE 0 END), (CASE WHEN NEW.state = 1 THEN NEW.reference_count ELSE 0 END), (CASE WHEN NEW.state = 1 THEN NEW.reference_count * NEW.length ELSE 0 END), (CASE WHEN NEW.state = 0 THEN 1 ELSE 0 END), (CASE WHEN NEW.state = 0 THEN NEW.length ELSE 0 END)
    WHERE true
    ON CONFLICT (scope) DO UPDATE SET originals = originals + excluded.originals, stored_bytes = stored_bytes + excluded.stored_bytes,
        orphans = orphans + excluded.orphans, orphan_bytes = orphan_bytes + excluded.orphan_bytes,
        "references" = "references" + excluded."references", logical_bytes = logical_bytes + excluded.logical_bytes,
        pending = pending + excluded.pending, pending_bytes = pending_bytes + excluded.pending_bytes;
END;

-- Updates that change none of the figures' inputs (orphan times, blob-missing marks) skip the trigger.
CREATE TRIGGER "{prefix}originals_count_update" AFTER UPDATE ON "{prefix}originals"
WHEN OLD.counted <> NEW.counted
  OR (NEW.counted = 1 AND (OLD.state <> NEW.state OR OLD.reference_count <> NEW.reference_count
                           OR OLD.length <> NEW.length OR OLD.scope <> NEW.scope))
BEGIN
    INSERT INTO "{prefix}scope_counters" (scope, originals, stored_bytes, orphans, orphan_bytes, "references", logical_bytes, pending, pending_bytes)
    SELECT OLD.scope, -(CASE WHEN OLD.state = 1 THEN 1 ELSE 0 END), -(CASE WHEN OLD.state = 1 THEN OLD.length ELSE 0 END), -(CASE WHEN OLD.state = 1 AND OLD.reference_count = 0 THEN 1 ELSE 0 END), -(CASE WHEN OLD.state = 1 AND OLD.reference_count = 0 THEN OLD.length ELSE 0 END), -(CASE WHEN OLD.state = 1 THEN OLD.reference_count ELSE 0 END), -(CASE WHEN OLD.state = 1 THEN OLD.reference_count * OLD.length ELSE 0 END), -(CASE WHEN OLD.state = 0 THEN 1 ELSE 0 END), -(CASE WHEN OLD.state = 0 THEN OLD.length ELSE 0 END)
    WHERE OLD.counted = 1
    ON CONFLICT (scope) DO UPDATE SET originals = originals + excluded.originals, stored_bytes = stored_bytes + excluded.stored_bytes,
        orphans = orphans + excluded.orphans, orphan_bytes = orphan_bytes + excluded.orphan_bytes,
        "references" = "references" + excluded."references", logical_bytes = logical_bytes + excluded.logical_bytes,
        pending = pending + excluded.pending, pending_bytes = pending_bytes + excluded.pending_bytes;
    INSERT INTO "{prefix}scope_counters" (scope, originals, stored_bytes, orphans, orphan_bytes, "references", logical_bytes, pending, pending_bytes)
    SELECT NEW.scope, (CASE WHEN NEW.state = 1 THEN 1 ELSE 0 END), (CASE WHEN NEW.state = 1 THEN NEW.length ELSE 0 END), (CASE WHEN NEW.state = 1 AND NEW.reference_count = 0 THEN 1 ELSE 0 END), (CASE WHEN NEW.state = 1 AND NEW.reference_count = 0 THEN NEW.length ELSE 0 END), (CASE WHEN NEW.state = 1 THEN NEW.reference_count ELSE 0 END), (CASE WHEN NEW.state = 1 THEN NEW.reference_count * NEW.length ELSE 0 END), (CASE WHEN NEW.state = 0 THEN 1 ELSE 0 END), (CASE WHEN NEW.state = 0 THEN NEW.length ELSE 0 END)
    WHERE NEW.counted = 1
    ON CONFLICT (scope) DO UPDATE SET originals = originals + excluded.originals, stored_bytes = stored_bytes + excluded.stored_bytes,
        orphans = orphans + excluded.orphans, orphan_bytes = orphan_bytes + excluded.orphan_bytes,
        "references" = "references" + excluded."references", logical_bytes = logical_bytes + excluded.logical_bytes,
        pending = pending + excluded.pending, pending_bytes = pending_bytes + excluded.pending_bytes;
END;

CREATE TRIGGER "{prefix}originals_count_delete" AFTER DELETE ON "{prefix}originals"
WHEN OLD.counted = 1
BEGIN
    INSERT INTO "{prefix}scope_counters" (scope, originals, stored_bytes, orphans, orphan_bytes, "references", logical_bytes, pending, pending_bytes)
    SELECT OLD.scope, -(CASE WHEN OLD.state = 1 THEN 1 ELSE 0 END), -(CASE WHEN OLD.state = 1 THEN OLD.length ELSE 0 END), -(CASE WHEN OLD.state = 1 AND OLD.reference_count = 0 THEN 1 ELSE 0 END), -(CASE WHEN OLD.state = 1 AND OLD.reference_count = 0 THEN OLD.length ELSE 0 END), -(CASE WHEN OLD.state = 1 THEN OLD.reference_count ELSE 0 END), -(CASE WHEN OLD.state = 1 THEN OLD.reference_count * OLD.length ELSE 0 END), -(CASE WHEN OLD.state = 0 THEN 1 ELSE 0 END), -(CASE WHEN OLD.state = 0 THEN OLD.length ELSE 0 END)
    WHERE true
    ON CONFLICT (scope) DO UPDATE SET originals = originals + excluded.originals, stored_bytes = stored_bytes + excluded.stored_bytes,
        orphans = orphans + excluded.orphans, orphan_bytes = orphan_bytes + excluded.orphan_bytes,
        "references" = "references" + excluded."references", logical_bytes = logical_bytes + excluded.logical_bytes,
        pending = pending + excluded.pending, pending_bytes = pending_bytes + excluded.pending_bytes;
END;
