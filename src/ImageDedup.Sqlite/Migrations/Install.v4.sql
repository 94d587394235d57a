-- ImageDedup SQLite schema, version 4: takedown — the block list, and originals by digest for purges.
-- {prefix} is replaced by the validated table prefix before execution, as in Install.v1.sql.
--
-- The block list holds digests the catalogue refuses, in one scope or (scope NULL) in every scope.
-- The store's own attach, promotion and add-reference statements consult it inside their write
-- transaction, and SQLite has one writer at a time, so a block and a promotion of the same bytes
-- are serialised: once a block has committed, no original of that digest becomes live again.
--
-- A purge claims an original (live -> deleting) with its references still in place, then releases
-- them in batches; deleting rows may therefore be referenced until the purge (or reconcile) is done.
-- Nothing in versions 1-3 forbids that on SQLite; no reference is ever added to a deleting row.
--
-- originals_digest lets a purge across every scope find an image's originals without a scan. Its
-- creation reads the table once under the migration's write lock; on a large catalogue create it
-- beforehand (IF NOT EXISTS keeps this script from failing then).

CREATE TABLE "{prefix}blocked_digests" (
    id         INTEGER NOT NULL PRIMARY KEY,               -- the listing order (cursor)
    scope      TEXT    NULL,                               -- NULL: every scope
    digest     TEXT    NOT NULL,                           -- 'sha256:<64 lowercase hex>'
    reason     TEXT    NOT NULL,
    blocked_by TEXT    NOT NULL,
    blocked_at INTEGER NOT NULL                            -- unix milliseconds, database clock
);

-- One entry per (scope, digest) and one global entry per digest; both are also the lookups.
CREATE UNIQUE INDEX "{prefix}blocked_digests_global"
    ON "{prefix}blocked_digests" (digest) WHERE scope IS NULL;
CREATE UNIQUE INDEX "{prefix}blocked_digests_scoped"
    ON "{prefix}blocked_digests" (digest, scope) WHERE scope IS NOT NULL;

CREATE INDEX IF NOT EXISTS "{prefix}originals_digest"
    ON "{prefix}originals" (digest);
