-- ImageDedup PostgreSQL schema, version 1: the down script. Never executed by the library.
-- Replace {schema} with your quoted schema name (default "imagededup") and run it by hand, e.g.
--   sed 's/{schema}/"imagededup"/g' Uninstall.v1.sql | psql -v ON_ERROR_STOP=1 "$DATABASE_URL"
-- Dropping the tables forgets every original and reference; delete the blobs separately (list the
-- storage_key column first if you want to remove exactly the blobs this schema knew).

BEGIN;
DROP FUNCTION IF EXISTS {schema}.release_prefix(text, text, text, integer, boolean);
DROP FUNCTION IF EXISTS {schema}.promote(uuid, text, boolean);
DROP FUNCTION IF EXISTS {schema}.try_attach(text, text, text, boolean);
DROP FUNCTION IF EXISTS {schema}.attach(text, text, uuid, boolean);
DROP FUNCTION IF EXISTS {schema}.touch_orphan(uuid);
DROP FUNCTION IF EXISTS {schema}.take_references(uuid, bigint, boolean);
DROP TYPE IF EXISTS {schema}.original_change;
DROP TABLE IF EXISTS {schema}."references";
DROP TRIGGER IF EXISTS originals_updated_at ON {schema}.originals;
DROP TABLE IF EXISTS {schema}.originals;
DROP FUNCTION IF EXISTS {schema}.touch_updated_at();
DELETE FROM {schema}.schema_version WHERE version = 1;
DROP TABLE IF EXISTS {schema}.schema_version;
-- Drops the schema only when nothing else lives in it.
DROP SCHEMA IF EXISTS {schema} RESTRICT;
COMMIT;
