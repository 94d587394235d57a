-- ImageDedup PostgreSQL schema, version 6: a promotion that lost the race keeps its row until its blob is gone.
-- {schema} is replaced by the quoted schema name before execution, as in Install.v1.sql; the library
-- runs this script after the previous version's, in the same transaction under the same lock.
--
-- promote() used to delete the pending row of an ingest that lost the race to another live original
-- of the same digest, and the engine deleted the loser's blob afterwards: a crash in between left a
-- blob no row names, which only a sweep of every blob in the store could find. Now the row moves to
-- 'deleting' instead (no reference can reach it, as for any claimed deletion); the engine deletes
-- the blob, then the row, and a crash in between leaves a stale deleting row that the regular
-- reconcile finds by index (originals_unsettled). No blob ever outlives its row by this path.
--
-- Self-contained: only the loser's branch differs from version 2's promote(). If a later version
-- replaces promote() again, it must keep this branch.

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
