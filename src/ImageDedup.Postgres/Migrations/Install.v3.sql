-- ImageDedup PostgreSQL schema, version 3: the catalogue's identity.
-- One row, created with the schema: a random identifier that names this catalogue (this database
-- and schema). The engine writes it into its blob store's ownership marker, so a second catalogue
-- pointed at the same root, bucket or prefix fails at start instead of deleting the first one's
-- blobs as its own garbage. Never change the row: the blob store would no longer be this
-- catalogue's. An application role needs SELECT on it (see README.md).

CREATE TABLE {schema}.catalogue (
    singleton  boolean     NOT NULL PRIMARY KEY DEFAULT true CHECK (singleton),
    id         uuid        NOT NULL DEFAULT gen_random_uuid(),
    created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

INSERT INTO {schema}.catalogue DEFAULT VALUES;
