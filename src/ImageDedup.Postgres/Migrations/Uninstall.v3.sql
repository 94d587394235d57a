-- ImageDedup PostgreSQL schema, version 3: the down script. Never executed by the library.
-- Replace {schema} with your quoted schema name (default "imagededup") and run it by hand before
-- Uninstall.v1.sql, e.g.
--   sed 's/{schema}/"imagededup"/g' Uninstall.v3.sql | psql -v ON_ERROR_STOP=1 "$DATABASE_URL"
-- The blob store's ownership marker (.imagededup/owner) still names the dropped identity: a new
-- install gets a new one, so delete the marker too if the new catalogue is to use the same store.

BEGIN;
DROP TABLE IF EXISTS {schema}.catalogue;
DELETE FROM {schema}.schema_version WHERE version = 2;
COMMIT;
