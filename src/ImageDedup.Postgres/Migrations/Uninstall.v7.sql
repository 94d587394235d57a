-- ImageDedup PostgreSQL schema, version 7 (takedown): the down script, back to version 6.
-- Never executed by the library. Replace {schema} as for Uninstall.v1.sql and run it by hand before
-- the down scripts of older versions, e.g.
--   sed 's/{schema}/"imagededup"/g' Uninstall.v7.sql | psql -v ON_ERROR_STOP=1 "$DATABASE_URL"
-- Finish every purge first (reconcile with a zero grace period): the restored check forbids a claimed
-- original that still has references, and this script then fails rather than leave one behind.
-- Dropping the block list lets blocked bytes be uploaded again. It puts back version 1's attach,
-- version 2's try_attach and version 6's promote.

BEGIN;
CREATE OR REPLACE FUNCTION {schema}.attach(p_scope text, p_holder text, p_target uuid, p_claim boolean)
RETURNS SETOF {schema}.original_change LANGUAGE plpgsql AS $imagededup$
DECLARE
    v_previous uuid;
    v_inserted boolean := false;
    v_state text;
BEGIN
    -- Keeps the target from being deleted (not from being claimed) while the reference is written.
    PERFORM 1 FROM {schema}.originals AS o
        WHERE o.id = p_target AND o.scope = p_scope AND o.state = 'live' FOR KEY SHARE;
    IF NOT FOUND THEN
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

CREATE OR REPLACE FUNCTION {schema}.try_attach(p_scope text, p_digest text, p_holder text, p_claim boolean)
RETURNS SETOF {schema}.original_change LANGUAGE plpgsql AS $imagededup$
DECLARE
    v_id uuid;
BEGIN
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

DROP FUNCTION IF EXISTS {schema}.claim_for_purge(uuid);
DROP FUNCTION IF EXISTS {schema}.block(text, text, text, text);
DROP FUNCTION IF EXISTS {schema}.blocked_change(text, text);
DROP FUNCTION IF EXISTS {schema}.is_blocked(text, text);
ALTER TABLE {schema}.originals DROP CONSTRAINT IF EXISTS originals_pending_is_unreferenced;
ALTER TABLE {schema}.originals ADD CONSTRAINT originals_only_live_is_referenced CHECK (state = 'live' OR reference_count = 0);
DROP INDEX IF EXISTS {schema}.originals_digest;
DROP TABLE IF EXISTS {schema}.blocked_digests;
DELETE FROM {schema}.schema_version WHERE version = 7;
COMMIT;
