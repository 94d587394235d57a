-- ImageDedup PostgreSQL schema, version 7: takedown — the block list, and purges of originals that
-- still have references. {schema} is replaced by the quoted schema name before execution, as in
-- Install.v1.sql; the library runs this script after the previous version's, in the same
-- transaction under the same lock.
--
-- The block list holds digests the catalogue refuses, in one scope or (scope NULL) in every scope.
-- try_attach, attach and promote consult it and, for a blocked digest, return one row of kind 3
-- (scope and digest filled in, nothing else) instead of raising, so a host transaction that called
-- attach stays usable; the store turns that row into BlockedContentException. Nothing is written
-- first: a refused promote leaves its pending row pending, for its ingest to abandon.
--
-- "A blocked digest never becomes live again" holds against a promotion in flight because block()
-- and promote() take the same lock of the digest: promote shared, block() exclusive, each until
-- its transaction ends. A promotion that checked the list first commits before the block does (and
-- a purge that claims after the block finds its row live); one that comes later waits for the
-- block's commit and then sees it. Lock order (Install.v1.sql), with this lock:
--   1. the promotion lock of one (scope, digest)   (pg_advisory_xact_lock, promote only)
--   1b. the block lock of one digest                (shared by promote after 1; exclusive by block(),
--                                                    which holds no other lock)
--   2. reference rows, in (scope, holder) order
--   3. originals, in id order
--
-- A purge claims an original (live -> deleting) with its references in place, then releases them in
-- batches; so a deleting row may be referenced until the purge, or reconcile, is done. The check
-- originals_only_live_is_referenced forbade that and is replaced by one that still forbids a
-- referenced pending row (NOT VALID: existing rows are not rescanned, every new write is checked).
--
-- originals_digest lets a purge across every scope find an image's originals without a scan. Building
-- it reads every row, which must not happen under the migration lock: an empty table (a new catalogue)
-- gets it here, a table with rows from CREATE INDEX CONCURRENTLY after the migration commits
-- (PostgresIndexUpgrade, as for version 5's indexes). Until then a purge everywhere scans the table.
-- Installing by hand on a table with rows, run afterwards, outside a transaction:
--   CREATE INDEX CONCURRENTLY originals_digest ON {schema}.originals (digest);

CREATE TABLE {schema}.blocked_digests (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- the listing order (cursor)
    scope      text        NULL,                                     -- NULL: every scope
    digest     text        NOT NULL,                                 -- 'sha256:<64 lowercase hex>'
    reason     text        NOT NULL,
    blocked_by text        NOT NULL,
    blocked_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- One entry per (scope, digest) and one global entry per digest; both are also the lookups.
CREATE UNIQUE INDEX blocked_digests_global ON {schema}.blocked_digests (digest) WHERE scope IS NULL;
CREATE UNIQUE INDEX blocked_digests_scoped ON {schema}.blocked_digests (digest, scope) WHERE scope IS NOT NULL;

DO $imagededup$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM {schema}.originals) THEN
        CREATE INDEX IF NOT EXISTS originals_digest ON {schema}.originals (digest);
    END IF;
END
$imagededup$;

ALTER TABLE {schema}.originals DROP CONSTRAINT originals_only_live_is_referenced;
ALTER TABLE {schema}.originals ADD CONSTRAINT originals_pending_is_unreferenced
    CHECK (state <> 'pending' OR reference_count = 0) NOT VALID;

-- Whether the digest is blocked in the scope: two lookups, each on its partial unique index.
CREATE FUNCTION {schema}.is_blocked(p_scope text, p_digest text)
RETURNS boolean LANGUAGE sql STABLE AS $imagededup$
    SELECT EXISTS (SELECT 1 FROM {schema}.blocked_digests AS b WHERE b.digest = p_digest AND b.scope IS NULL)
        OR EXISTS (SELECT 1 FROM {schema}.blocked_digests AS b WHERE b.digest = p_digest AND b.scope = p_scope);
$imagededup$;

-- The row a refused call returns: kind 3, the scope and digest it refused.
CREATE FUNCTION {schema}.blocked_change(p_scope text, p_digest text)
RETURNS SETOF {schema}.original_change LANGUAGE sql IMMUTABLE AS $imagededup$
    SELECT 3::smallint, false, NULL::uuid, p_scope, p_digest, NULL::bigint, NULL::text, NULL::text, NULL::text,
           0::bigint, NULL::timestamptz, NULL::timestamptz, NULL::timestamptz, NULL::timestamptz;
$imagededup$;

-- Adds (or replaces the reason, who and when of) an entry, under the digest's block lock (1b).
CREATE FUNCTION {schema}.block(p_scope text, p_digest text, p_blocked_by text, p_reason text)
RETURNS SETOF {schema}.blocked_digests LANGUAGE plpgsql AS $imagededup$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended(p_digest, 7412));
    IF p_scope IS NULL THEN
        RETURN QUERY
            INSERT INTO {schema}.blocked_digests AS b (scope, digest, reason, blocked_by)
            VALUES (NULL, p_digest, p_reason, p_blocked_by)
            ON CONFLICT (digest) WHERE scope IS NULL DO UPDATE
                SET reason = excluded.reason, blocked_by = excluded.blocked_by, blocked_at = clock_timestamp()
            RETURNING b.*;
    ELSE
        RETURN QUERY
            INSERT INTO {schema}.blocked_digests AS b (scope, digest, reason, blocked_by)
            VALUES (p_scope, p_digest, p_reason, p_blocked_by)
            ON CONFLICT (digest, scope) WHERE scope IS NOT NULL DO UPDATE
                SET reason = excluded.reason, blocked_by = excluded.blocked_by, blocked_at = clock_timestamp()
            RETURNING b.*;
    END IF;
END
$imagededup$;

-- A purge's claim of one original: live -> deleting whatever its references (lock order 3, nothing
-- else held); an original already deleting is returned as it is. Two statements, so the second sees
-- a claim another transaction committed while the first waited for the row.
CREATE FUNCTION {schema}.claim_for_purge(p_id uuid)
RETURNS SETOF {schema}.original_change LANGUAGE plpgsql AS $imagededup$
BEGIN
    RETURN QUERY
        UPDATE {schema}.originals AS o SET state = 'deleting' WHERE o.id = p_id AND o.state = 'live'
        RETURNING 1::smallint, false, o.id, o.scope, o.digest, o.length, o.content_type, o.storage_key,
                  o.state, o.reference_count, o.created_at, o.updated_at, o.orphaned_at, o.blob_missing_since;
    IF NOT FOUND THEN
        RETURN QUERY
            SELECT 1::smallint, false, o.id, o.scope, o.digest, o.length, o.content_type, o.storage_key,
                   o.state, o.reference_count, o.created_at, o.updated_at, o.orphaned_at, o.blob_missing_since
            FROM {schema}.originals AS o WHERE o.id = p_id AND o.state = 'deleting';
    END IF;
END
$imagededup$;

-- Version 1's attach, refusing a blocked target before anything is written.
CREATE OR REPLACE FUNCTION {schema}.attach(p_scope text, p_holder text, p_target uuid, p_claim boolean)
RETURNS SETOF {schema}.original_change LANGUAGE plpgsql AS $imagededup$
DECLARE
    v_previous uuid;
    v_inserted boolean := false;
    v_state text;
    v_digest text;
BEGIN
    -- Keeps the target from being deleted (not from being claimed) while the reference is written.
    SELECT o.digest INTO v_digest FROM {schema}.originals AS o
        WHERE o.id = p_target AND o.scope = p_scope AND o.state = 'live' FOR KEY SHARE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF {schema}.is_blocked(p_scope, v_digest) THEN
        RETURN QUERY SELECT * FROM {schema}.blocked_change(p_scope, v_digest);
        RETURN;
    END IF;

    -- Lock order 2: the reference row (a new key is "locked" by inserting it).
    LOOP
        INSERT INTO {schema}."references" AS r (scope, holder, original_id)
            VALUES (p_scope, p_holder, p_target)
            ON CONFLICT (scope, holder) DO NOTHING;
        IF FOUND THEN
            v_inserted := true;
            EXIT;
        END IF;
        SELECT r.original_id INTO v_previous FROM {schema}."references" AS r
            WHERE r.scope = p_scope AND r.holder = p_holder FOR UPDATE;
        EXIT WHEN FOUND; -- else it was released between the two statements: insert again
    END LOOP;

    IF v_previous = p_target THEN -- a retry: nothing changes
        RETURN QUERY
            SELECT 1::smallint, false, o.id, o.scope, o.digest, o.length, o.content_type, o.storage_key,
                   o.state, o.reference_count, o.created_at, o.updated_at, o.orphaned_at, o.blob_missing_since
            FROM {schema}.originals AS o WHERE o.id = p_target;
        RETURN;
    END IF;

    -- Lock order 3: originals by id.
    PERFORM 1 FROM {schema}.originals AS o
        WHERE o.id = p_target OR o.id = v_previous ORDER BY o.id FOR NO KEY UPDATE;
    SELECT o.state INTO v_state FROM {schema}.originals AS o WHERE o.id = p_target;
    IF v_state IS DISTINCT FROM 'live' THEN -- claimed since the first look: undo the insert
        IF v_inserted THEN
            DELETE FROM {schema}."references" AS r WHERE r.scope = p_scope AND r.holder = p_holder;
        END IF;
        RETURN;
    END IF;

    IF NOT v_inserted THEN
        UPDATE {schema}."references" AS r SET original_id = p_target, created_at = clock_timestamp()
            WHERE r.scope = p_scope AND r.holder = p_holder;
    END IF;
    RETURN QUERY
        UPDATE {schema}.originals AS o SET reference_count = o.reference_count + 1, orphaned_at = NULL
        WHERE o.id = p_target
        RETURNING 1::smallint, true, o.id, o.scope, o.digest, o.length, o.content_type, o.storage_key,
                  o.state, o.reference_count, o.created_at, o.updated_at, o.orphaned_at, o.blob_missing_since;
    IF v_previous IS NOT NULL THEN
        RETURN QUERY SELECT * FROM {schema}.take_references(v_previous, 1, p_claim);
    END IF;
END
$imagededup$;

-- Version 2's try_attach, refusing a blocked digest first (also without a live original, and without
-- a holder: an ingest of blocked bytes stores nothing).
CREATE OR REPLACE FUNCTION {schema}.try_attach(p_scope text, p_digest text, p_holder text, p_claim boolean)
RETURNS SETOF {schema}.original_change LANGUAGE plpgsql AS $imagededup$
DECLARE
    v_id uuid;
BEGIN
    IF {schema}.is_blocked(p_scope, p_digest) THEN
        RETURN QUERY SELECT * FROM {schema}.blocked_change(p_scope, p_digest);
        RETURN;
    END IF;

    -- A second look only when the live row was claimed between the lookup and its lock; the failed
    -- try's locks are released by then (attach_or_unlock).
    FOR attempt IN 1..2 LOOP
        SELECT o.id INTO v_id FROM {schema}.originals AS o
            WHERE o.scope = p_scope AND o.digest = p_digest AND o.state = 'live';
        IF NOT FOUND THEN
            RETURN;
        END IF;
        RETURN QUERY SELECT * FROM {schema}.attach_or_unlock(p_scope, p_holder, v_id, p_claim);
        IF FOUND THEN
            RETURN;
        END IF;
    END LOOP;
END
$imagededup$;

-- Version 6's promote, taking the digest's block lock (shared) and refusing a blocked digest before
-- anything changes; the rest, the loser's branch included, is version 6's.
CREATE OR REPLACE FUNCTION {schema}.promote(p_id uuid, p_holder text, p_claim boolean)
RETURNS SETOF {schema}.original_change LANGUAGE plpgsql AS $imagededup$
DECLARE
    v_scope text;
    v_digest text;
    v_winner uuid;
BEGIN
    -- Nobody else locks a pending row while holding other locks, so taking it first is safe.
    SELECT o.scope, o.digest INTO v_scope, v_digest FROM {schema}.originals AS o
        WHERE o.id = p_id AND o.state = 'pending' FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;

    -- Lock order 1: only promotion makes rows live, so while this lock is held no other live row of
    -- (scope, digest) can appear and the decision below stays true until commit.
    PERFORM pg_advisory_xact_lock(hashtextextended(v_scope || chr(31) || v_digest, 7411));

    -- Lock order 1b: no block of this digest commits while this promotion runs, and the check below
    -- (a new snapshot, taken after the lock) sees every block that committed before.
    PERFORM pg_advisory_xact_lock_shared(hashtextextended(v_digest, 7412));
    IF {schema}.is_blocked(v_scope, v_digest) THEN
        RETURN QUERY SELECT * FROM {schema}.blocked_change(v_scope, v_digest);
        RETURN;
    END IF;

    LOOP
        SELECT o.id INTO v_winner FROM {schema}.originals AS o
            WHERE o.scope = v_scope AND o.digest = v_digest AND o.state = 'live';
        EXIT WHEN NOT FOUND;
        RETURN QUERY SELECT * FROM {schema}.attach_or_unlock(v_scope, p_holder, v_winner, p_claim);
        IF FOUND THEN -- lost the race: the pending row is claimed; the caller deletes its blob, then the row
            UPDATE {schema}.originals AS o SET state = 'deleting' WHERE o.id = p_id;
            RETURN;
        END IF;
        -- the winner was claimed meanwhile, and the failed try's locks are released; the next look
        -- finds no live row
    END LOOP;

    -- Won: the row is live, orphaned from now until the holder's reference is added.
    UPDATE {schema}.originals AS o SET state = 'live', orphaned_at = clock_timestamp() WHERE o.id = p_id;
    IF p_holder IS NULL THEN
        RETURN QUERY
            SELECT 1::smallint, false, o.id, o.scope, o.digest, o.length, o.content_type, o.storage_key,
                   o.state, o.reference_count, o.created_at, o.updated_at, o.orphaned_at, o.blob_missing_since
            FROM {schema}.originals AS o WHERE o.id = p_id;
    ELSE
        -- Nobody else can see this row live before commit, so the attach cannot fail.
        RETURN QUERY SELECT * FROM {schema}.attach(v_scope, p_holder, p_id, p_claim);
    END IF;
END
$imagededup$;
