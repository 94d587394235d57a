-- ImageDedup SQLite schema, version 4 (takedown): the down script, back to version 3.
-- Never executed by the library. Replace {prefix} with your TablePrefix (default imagededup_) and run
-- it by hand before Uninstall.v3.sql, for example
--   sed 's/{prefix}/imagededup_/g' Uninstall.v4.sql | sqlite3 dedup.db
-- Finish every purge first (run reconcile with a zero grace period): a version-3 library cannot
-- delete a claimed original that still has references. Dropping the block list lets blocked bytes
-- be uploaded again.

BEGIN IMMEDIATE;
DROP INDEX IF EXISTS "{prefix}originals_digest";
DROP INDEX IF EXISTS "{prefix}blocked_digests_scoped";
DROP INDEX IF EXISTS "{prefix}blocked_digests_global";
DROP TABLE IF EXISTS "{prefix}blocked_digests";
DELETE FROM "{prefix}schema_version" WHERE version = 4;
COMMIT;
