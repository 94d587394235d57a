-- ImageDedup SQLite schema, version 3 (statistics counters): the down script, back to version 2.
-- Never executed by the library. Replace {prefix} with your TablePrefix (default imagededup_) and run
-- it by hand before Uninstall.v2.sql, for example
--   sed 's/{prefix}/imagededup_/g' Uninstall.v3.sql | sqlite3 dedup.db
-- Statistics of a version-2 library scan the originals again; nothing else depends on the counters.

BEGIN IMMEDIATE;
DROP TRIGGER IF EXISTS "{prefix}originals_count_delete";
DROP TRIGGER IF EXISTS "{prefix}originals_count_update";
DROP TRIGGER IF EXISTS "{prefix}originals_count_insert";
DROP TABLE IF EXISTS "{prefix}counter_backfill";
DROP TABLE IF EXISTS "{prefix}scope_counters";
ALTER TABLE "{prefix}originals" DROP COLUMN counted;
DELETE FROM "{prefix}schema_version" WHERE version = 3;
COMMIT;
