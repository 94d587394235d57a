-- ImageDedup PostgreSQL schema, version 4 (statistics counters): the down script, back to version 3.
-- Never executed by the library. Replace {schema} as for Uninstall.v1.sql and run it by hand before
-- Uninstall.v3.sql, e.g.
--   sed 's/{schema}/"imagededup"/g' Uninstall.v4.sql | psql -v ON_ERROR_STOP=1 "$DATABASE_URL"
-- Statistics of a version-3 library scan the originals again; nothing else depends on the counters.

BEGIN;
DROP TRIGGER IF EXISTS originals_updated_at ON {schema}.originals;
CREATE TRIGGER originals_updated_at BEFORE UPDATE ON {schema}.originals
    FOR EACH ROW EXECUTE FUNCTION {schema}.touch_updated_at();
DROP TRIGGER IF EXISTS originals_count_truncate ON {schema}.originals;
DROP TRIGGER IF EXISTS originals_count_delete ON {schema}.originals;
DROP TRIGGER IF EXISTS originals_count_update ON {schema}.originals;
DROP TRIGGER IF EXISTS originals_count_insert ON {schema}.originals;
DROP FUNCTION IF EXISTS {schema}.backfill_counters(integer);
DROP FUNCTION IF EXISTS {schema}.forget_counters();
DROP FUNCTION IF EXISTS {schema}.count_originals();
DROP TYPE IF EXISTS {schema}.counted_change;
DROP FUNCTION IF EXISTS {schema}.add_to_counters(text, text, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint);
DROP TABLE IF EXISTS {schema}.counter_backfill;
DROP TABLE IF EXISTS {schema}.scope_counters;
ALTER TABLE {schema}.originals DROP COLUMN IF EXISTS counted;
DELETE FROM {schema}.schema_version WHERE version = 4;
COMMIT;
