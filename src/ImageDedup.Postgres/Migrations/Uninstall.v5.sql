-- ImageDedup PostgreSQL schema, version 5 (indexes that let a reference-count change be a HOT update):
-- the down script, back to version 4. Never executed by the library. Replace {schema} as for
-- Uninstall.v1.sql and run it by hand after Uninstall.v6.sql and before Uninstall.v4.sql, e.g.
--   sed 's/{schema}/"imagededup"/g' Uninstall.v5.sql | psql -v ON_ERROR_STOP=1 "$DATABASE_URL"
-- Restores version 1's orphan and unsettled indexes. On a large catalogue, build them first with
-- CREATE INDEX CONCURRENTLY (outside this script) under the same names, then run it: IF NOT EXISTS
-- skips them here.

BEGIN;
CREATE INDEX IF NOT EXISTS originals_orphans ON {schema}.originals (orphaned_at, scope) WHERE state = 'live' AND reference_count = 0;
CREATE INDEX IF NOT EXISTS originals_unsettled ON {schema}.originals (state, updated_at) WHERE state <> 'live';
DROP INDEX IF EXISTS {schema}.originals_orphaned;
DROP INDEX IF EXISTS {schema}.originals_unsettled_ids;
ALTER TABLE {schema}.originals RESET (fillfactor);
DELETE FROM {schema}.schema_version WHERE version = 5;
COMMIT;
