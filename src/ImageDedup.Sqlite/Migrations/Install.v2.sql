-- ImageDedup SQLite schema, version 2: the catalogue's identity.
-- One row, created with the schema: a random identifier that names this catalogue (this database
-- file and table prefix). The engine writes it into its blob store's ownership marker, so a second
-- catalogue pointed at the same root, bucket or prefix fails at start instead of deleting the
-- first one's blobs as its own garbage. Never change the row: the blob store would no longer be
-- this catalogue's.

CREATE TABLE "{prefix}catalogue" (
    singleton  INTEGER NOT NULL PRIMARY KEY CHECK (singleton = 1),
    id         TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);

INSERT INTO "{prefix}catalogue" (singleton, id, created_at)
VALUES (1, lower(hex(randomblob(16))), CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER));
