-- ImageDedup SQLite schema, version 2: the down script. Never executed by the library.
-- Replace {prefix} with your TablePrefix (default imagededup_) and run it by hand before
-- Uninstall.v1.sql, for example
--   sed 's/{prefix}/imagededup_/g' Uninstall.v2.sql | sqlite3 dedup.db
-- The blob store's ownership marker (.imagededup/owner) still names the dropped identity: a new
-- install gets a new one, so delete the marker too if the new catalogue is to use the same store.

BEGIN IMMEDIATE;
DROP TABLE IF EXISTS "{prefix}catalogue";
DELETE FROM "{prefix}schema_version" WHERE version = 2;
COMMIT;
