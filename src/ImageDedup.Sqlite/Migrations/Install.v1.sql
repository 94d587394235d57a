-- ImageDedup SQLite schema, version 1.
-- {prefix} is replaced by the validated table prefix (letters, digits, underscore) before execution.
-- Times are unix milliseconds taken from the database clock.

CREATE TABLE "{prefix}originals" (
    id              TEXT    NOT NULL PRIMARY KEY,
    scope           TEXT    NOT NULL,
    digest          TEXT    NOT NULL,
    length          INTEGER NOT NULL CHECK (length >= 0),
    content_type    TEXT    NOT NULL,
    storage_key     TEXT    NOT NULL UNIQUE,
    state           INTEGER NOT NULL CHECK (state IN (0, 1, 2)), -- 0 pending, 1 live, 2 deleting
    reference_count INTEGER NOT NULL DEFAULT 0 CHECK (reference_count >= 0),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    orphaned_at     INTEGER NULL,
    blob_missing_since INTEGER NULL -- set by reconcile/verify when a live row's blob is gone
);

-- At most one LIVE row per (scope, digest). Deliberately live-only: a crashed ingest's pending row
-- must never block later ingests of the same bytes. Two pending rows of one digest may coexist;
-- they race in PromoteAsync and the loser is deleted, its holder attached to the winner.
CREATE UNIQUE INDEX "{prefix}originals_live_digest"
    ON "{prefix}originals" (scope, digest) WHERE state = 1;

-- Garbage collection: live originals without references, oldest orphan first.
CREATE INDEX "{prefix}originals_orphans"
    ON "{prefix}originals" (orphaned_at) WHERE state = 1 AND reference_count = 0;

-- Reconcile: pending rows of crashed ingests and deletions whose claimer died, oldest first.
CREATE INDEX "{prefix}originals_unsettled"
    ON "{prefix}originals" (state, updated_at) WHERE state <> 1;

-- Listing a scope in a stable order.
CREATE INDEX "{prefix}originals_scope"
    ON "{prefix}originals" (scope, id);

CREATE TABLE "{prefix}references" (
    scope       TEXT    NOT NULL,
    holder      TEXT    NOT NULL,
    original_id TEXT    NOT NULL REFERENCES "{prefix}originals" (id),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (scope, holder)
) WITHOUT ROWID;

-- Holders of one original, in holder order (listing and counting).
CREATE INDEX "{prefix}references_original"
    ON "{prefix}references" (original_id, holder);
