-- ImageDedup PostgreSQL schema: a retry keeps the lock order.
-- {schema} is replaced by the quoted schema name before execution, as in Install.v1.sql; the library
-- runs this script after the previous version's, in the same transaction under the same lock.
--
-- try_attach (and promote, when another original won) look up the live original of a digest and
-- attach the holder to it. When that original is claimed between the lookup and its lock, attach
-- gives up, and they looked again -- still holding what the failed try locked: the reference row
-- (lock order 2) and the holder's previous original (lock order 3). Locking the next target after
-- them breaks the order whenever it sorts before the previous original, and a concurrent re-point
-- that locks the two in id order then deadlocks with it (40P01).
--
-- Now each try runs in a subtransaction (a block with an EXCEPTION clause) that is rolled back when
-- the try fails. Rolling back a subtransaction releases every row and advisory lock taken inside it,
-- so the next try starts with nothing of its own locked and takes its locks in the documented order
-- again. The subtransaction costs one subtransaction id per call; attach itself (add_reference, host
-- transactions) is unchanged, so a host transaction never accumulates them.

-- Points the holder at p_target (attach), or without a holder refreshes its orphan time
-- (touch_orphan). Returns nothing, and holds no lock it took, when p_target is no longer live.
CREATE FUNCTION {schema}.attach_or_unlock(p_scope text, p_holder text, p_target uuid, p_claim boolean)
RETURNS SETOF {schema}.original_change LANGUAGE plpgsql AS $imagededup$
BEGIN
    BEGIN
        IF p_holder IS NULL THEN
            RETURN QUERY SELECT * FROM {schema}.touch_orphan(p_target);
        ELSE
            RETURN QUERY SELECT * FROM {schema}.attach(p_scope, p_holder, p_target, p_claim);
        END IF;
        IF NOT FOUND THEN -- nothing was returned; roll the try back to release its locks
            RAISE EXCEPTION 'imagededup: the target % was claimed', p_target USING ERRCODE = 'IDRTY';
        END IF;
    EXCEPTION WHEN SQLSTATE 'IDRTY' THEN
        RETURN;
    END;
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
        IF FOUND THEN -- lost the race: the pending row goes, the caller deletes its blob
            DELETE FROM {schema}.originals AS o WHERE o.id = p_id;
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
