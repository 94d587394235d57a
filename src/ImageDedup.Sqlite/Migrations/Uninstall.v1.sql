-- ImageDedup SQLite schema, version 1: the down script. Never executed by the library.
-- Replace {prefix} with your TablePrefix (default imagededup_) and run it by hand, for example
--   sed 's/{prefix}/imagededup_/g' Uninstall.v1.sql | sqlite3 dedup.db
-- Dropping the tables forgets every original and reference; delete the blobs separately.

BEGIN IMMEDIATE;
DROP INDEX IF EXISTS "{prefix}references_original";
DROP TABLE IF EXISTS "{prefix}references";
DROP INDEX IF EXISTS "{prefix}originals_scope";
DROP INDEX IF EXISTS "{prefix}originals_orphans";
DROP INDEX IF EXISTS "{prefix}originals_live_digest";
DROP TABLE IF EXISTS "{prefix}originals";
DELETE FROM "{prefix}schema_version" WHERE version = 1;
DROP TABLE IF EXISTS "{prefix}schema_version";
COMMIT;
