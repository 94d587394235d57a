-- ImageDedup PostgreSQL schema, version 5: a reference count that changes is a HOT update.
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
