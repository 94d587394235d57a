-- ImageDedup PostgreSQL schema, version 8: the down script. Never executed by the library.
-- Replace {schema} with your quoted schema name (default "imagededup") and run it by hand before
-- the down scripts of older versions, e.g.
--   sed 's/{schema}/"imagededup"/g' Uninstall.v8.sql | psql -v ON_ERROR_STOP=1 "$DATABASE_URL"
-- Removes the group-commit functions of batch ingest; a library that knows version 8 then fails its
-- batch ingests (single ingests keep working).

BEGIN;
DROP FUNCTION {schema}.promote_many(uuid[], text[], boolean);
DROP FUNCTION {schema}.try_attach_many(text, text[], text[], boolean);
DROP FUNCTION {schema}.repoint_locked(integer, text, text, uuid, uuid, boolean);
DROP FUNCTION {schema}.lock_holders(text[], text[], uuid[]);
DROP FUNCTION {schema}.indexed_row(integer, uuid);
DROP TYPE {schema}.indexed_change;
DELETE FROM {schema}.schema_version WHERE version = 8;
COMMIT;
