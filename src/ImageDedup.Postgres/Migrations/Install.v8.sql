-- ImageDedup PostgreSQL schema, version 8: group commit for batch ingest.
-- {schema} is replaced by the quoted schema name before execution, as in Install.v1.sql; the library
-- runs this script after the previous version's, in the same transaction under the same lock.
--
-- A batch ingest pays one commit per step for a whole group of images instead of one per image:
-- try_attach_many and promote_many do what try_attach and promote do for each item of the group,
-- in list order, in the one statement (one round trip, one transaction, one WAL flush) the store
-- sends. The pending inserts, claims and deletions of a group are plain set statements over array
-- parameters and need no function.
--
-- Locks. A group keeps every lock it takes until it commits, so calling the single-item functions
-- item after item would take item 2's reference row after item 1's originals, against the order of
-- Install.v1.sql, and deadlock with a concurrent single call (which PostgreSQL would break by
-- aborting either side, a host transaction included). Both functions therefore lock in phases, each
-- phase for the whole group and in the documented order, before they change anything:
--   0. promote_many: the group's own pending rows, in id order (nobody else locks a pending row
--      while holding other locks);
--   1. promote_many: the promotion lock of every (scope, digest) of the group, in key order;
--   1b. promote_many: the block lock of every digest of the group, shared, in key order (as promote
--      takes it, Install.v7.sql; block() takes it exclusively and holds nothing else);
--   2. the reference rows of the group's holders, in holder order (a new holder's row is locked by
--      inserting it, pointing at an original it may point at: its target, or the item's own pending
--      row, until the last phase points it where it belongs);
--   3. every original an item touches (targets, winners, the holders' previous originals), in id
--      order;
-- and only then apply the items in list order. FOR KEY SHARE on a target (taken before phase 2, as
-- attach takes it) only conflicts with deleting that row, which happens to unreferenced rows alone.
-- A holder may appear once per group (the store checks it), so phase 2 locks each row once.

-- One row of a *_many function: the position of the item (from 1) and a row of original_change.
CREATE TYPE {schema}.indexed_change AS (
    item            integer,
    kind            smallint,
    added           boolean,
    id              uuid,
    scope           text,
    digest          text,
    length          bigint,
    content_type    text,
    storage_key     text,
    state           text,
    reference_count bigint,
    created_at      timestamptz,
    updated_at      timestamptz,
    orphaned_at     timestamptz,
    blob_missing_since timestamptz
);

-- An original as it is now, as the row of item p_item (kind 1, nothing added).
CREATE FUNCTION {schema}.indexed_row(p_item integer, p_id uuid)
RETURNS SETOF {schema}.indexed_change LANGUAGE sql AS $imagededup$
    SELECT p_item, 1::smallint, false, o.id, o.scope, o.digest, o.length, o.content_type, o.storage_key,
           o.state, o.reference_count, o.created_at, o.updated_at, o.orphaned_at, o.blob_missing_since
    FROM {schema}.originals AS o WHERE o.id = p_id;
$imagededup$;

-- Phase 2 for a group: locks (or inserts, pointing at p_points[i]) the reference row of each item
-- with a holder and a non-null p_points[i], in (scope, holder) order. Returns, per item, the original
-- the holder pointed at before (null: none, or it was inserted here) and whether it was inserted here.
CREATE FUNCTION {schema}.lock_holders(p_scopes text[], p_holders text[], p_points uuid[],
    OUT o_previous uuid[], OUT o_inserted boolean[])
LANGUAGE plpgsql AS $imagededup$
DECLARE
    v_count integer := coalesce(cardinality(p_holders), 0);
    v_i integer;
    v_previous uuid;
BEGIN
    o_previous := array_fill(NULL::uuid, ARRAY[v_count]);
    o_inserted := array_fill(false, ARRAY[v_count]);
    FOR v_i IN
        SELECT h.n FROM unnest(p_scopes, p_holders) WITH ORDINALITY AS h(scope, holder, n)
        WHERE h.holder IS NOT NULL AND p_points[h.n] IS NOT NULL
        ORDER BY h.scope, h.holder COLLATE "C"
    LOOP
        LOOP
            INSERT INTO {schema}."references" AS r (scope, holder, original_id)
                VALUES (p_scopes[v_i], p_holders[v_i], p_points[v_i])
                ON CONFLICT (scope, holder) DO NOTHING;
            IF FOUND THEN
                o_inserted[v_i] := true;
                EXIT;
            END IF;
            SELECT r.original_id INTO v_previous FROM {schema}."references" AS r
                WHERE r.scope = p_scopes[v_i] AND r.holder = p_holders[v_i] FOR UPDATE;
            IF FOUND THEN
                o_previous[v_i] := v_previous;
                EXIT;
            END IF;
            -- released between the two statements: insert again
        END LOOP;
    END LOOP;
END
$imagededup$;

-- Points the holder of item p_item at p_target (live and locked), as attach does once it holds its
-- locks: the reference row (locked or inserted by lock_holders) moves, the target gains a reference,
-- the previous original loses one (and is claimed when that was its last and p_claim is set).
CREATE FUNCTION {schema}.repoint_locked(p_item integer, p_scope text, p_holder text, p_target uuid, p_previous uuid, p_claim boolean)
RETURNS SETOF {schema}.indexed_change LANGUAGE plpgsql AS $imagededup$
BEGIN
    IF p_previous IS NOT DISTINCT FROM p_target THEN -- a retry: nothing changes
        RETURN QUERY SELECT * FROM {schema}.indexed_row(p_item, p_target);
        RETURN;
    END IF;

    UPDATE {schema}."references" AS r SET original_id = p_target, created_at = clock_timestamp()
        WHERE r.scope = p_scope AND r.holder = p_holder;
    RETURN QUERY
        UPDATE {schema}.originals AS o SET reference_count = o.reference_count + 1, orphaned_at = NULL
        WHERE o.id = p_target
        RETURNING p_item, 1::smallint, true, o.id, o.scope, o.digest, o.length, o.content_type, o.storage_key,
                  o.state, o.reference_count, o.created_at, o.updated_at, o.orphaned_at, o.blob_missing_since;
    IF p_previous IS NOT NULL THEN
        RETURN QUERY SELECT p_item, c.* FROM {schema}.take_references(p_previous, 1, p_claim) AS c;
    END IF;
END
$imagededup$;

-- try_attach for each (digest, holder), in list order. An item whose target was claimed before its turn (by another transaction, or by an earlier item of
-- the group that took its last reference) gets nothing, as when no live original exists: the
-- caller stores the bytes anew, and promotion settles any race.
CREATE FUNCTION {schema}.try_attach_many(p_scope text, p_digests text[], p_holders text[], p_claim boolean)
RETURNS SETOF {schema}.indexed_change LANGUAGE plpgsql AS $imagededup$
DECLARE
    v_count integer := coalesce(cardinality(p_digests), 0);
    v_targets uuid[];
    v_changing uuid[];
    v_locked uuid[];
    v_previous uuid[];
    v_inserted boolean[];
    v_state text;
BEGIN
    IF v_count <> coalesce(cardinality(p_holders), 0) THEN
        RAISE EXCEPTION 'imagededup: % digests but % holders', v_count, coalesce(cardinality(p_holders), 0);
    END IF;
    IF v_count = 0 THEN
        RETURN;
    END IF;

    -- One look per item: the live original of its digest, unless the block list refuses the digest
    -- (as try_attach does, Install.v7.sql): that item then gets nothing, and its promotion is refused.
    SELECT array_agg(o.id ORDER BY d.n) INTO v_targets
    FROM unnest(p_digests) WITH ORDINALITY AS d(digest, n)
    LEFT JOIN {schema}.originals AS o ON o.scope = p_scope AND o.digest = d.digest AND o.state = 'live'
        AND NOT {schema}.is_blocked(p_scope, d.digest);

    -- Keeps the targets from being deleted while references are written to them; a target deleted
    -- since the look is none.
    WITH l AS (SELECT o.id FROM {schema}.originals AS o WHERE o.id = ANY (v_targets) ORDER BY o.id FOR KEY SHARE)
    SELECT array_agg(l.id) INTO v_locked FROM l;
    FOR v_i IN 1 .. v_count LOOP
        IF v_targets[v_i] IS NOT NULL AND NOT (v_targets[v_i] = ANY (coalesce(v_locked, '{}'))) THEN
            v_targets[v_i] := NULL;
        END IF;
    END LOOP;

    SELECT h.o_previous, h.o_inserted INTO v_previous, v_inserted
        FROM {schema}.lock_holders(array_fill(p_scope, ARRAY[v_count]), p_holders, v_targets) AS h;

    -- A holder that already points at its target (a re-run) changes no original: its locked
    -- reference row keeps it there, and the target is locked only for an item that changes it.
    SELECT array_agg(t.target) INTO v_changing
        FROM unnest(v_targets, v_previous, p_holders) AS t(target, previous, holder)
        WHERE t.holder IS NULL OR t.previous IS DISTINCT FROM t.target;
    PERFORM 1 FROM {schema}.originals AS o
        WHERE o.id = ANY (v_changing) OR o.id = ANY (v_previous) ORDER BY o.id FOR NO KEY UPDATE;

    FOR v_i IN 1 .. v_count LOOP
        CONTINUE WHEN v_targets[v_i] IS NULL;
        SELECT o.state INTO v_state FROM {schema}.originals AS o WHERE o.id = v_targets[v_i];
        IF v_state IS DISTINCT FROM 'live' THEN
            IF v_inserted[v_i] THEN
                DELETE FROM {schema}."references" AS r WHERE r.scope = p_scope AND r.holder = p_holders[v_i];
            END IF;
            CONTINUE;
        END IF;

        IF p_holders[v_i] IS NULL THEN -- touch_orphan, with the row locked above
            UPDATE {schema}.originals AS o SET orphaned_at = clock_timestamp()
                WHERE o.id = v_targets[v_i] AND o.reference_count = 0;
            RETURN QUERY SELECT * FROM {schema}.indexed_row(v_i, v_targets[v_i]);
        ELSE
            RETURN QUERY SELECT * FROM {schema}.repoint_locked(v_i, p_scope, p_holders[v_i], v_targets[v_i], v_previous[v_i], p_claim);
        END IF;
    END LOOP;
END
$imagededup$;

-- promote for each (pending id, holder), in list order: the row goes live and gets its holder, or,
-- when a live original of its digest exists (another ingest's, or an earlier item's of the group),
-- the row is claimed (deleting) and the holder points at that one. Returns nothing for an item
-- whose row is missing or no longer pending, as promote does; the other items go on.
CREATE FUNCTION {schema}.promote_many(p_ids uuid[], p_holders text[], p_claim boolean)
RETURNS SETOF {schema}.indexed_change LANGUAGE plpgsql AS $imagededup$
DECLARE
    v_count integer := coalesce(cardinality(p_ids), 0);
    v_locked uuid[];
    v_points uuid[];
    v_scopes text[];
    v_winners uuid[];
    v_previous uuid[];
    v_inserted boolean[];
    v_key bigint;
    v_scope text;
    v_digest text;
    v_target uuid;
BEGIN
    IF v_count <> coalesce(cardinality(p_holders), 0) THEN
        RAISE EXCEPTION 'imagededup: % originals but % holders', v_count, coalesce(cardinality(p_holders), 0);
    END IF;
    IF v_count = 0 THEN
        RETURN;
    END IF;

    -- Phase 0: the group's pending rows.
    WITH l AS (SELECT o.id FROM {schema}.originals AS o WHERE o.id = ANY (p_ids) AND o.state = 'pending' ORDER BY o.id FOR NO KEY UPDATE)
    SELECT array_agg(l.id) INTO v_locked FROM l;
    v_locked := coalesce(v_locked, '{}');
    v_points := array_fill(NULL::uuid, ARRAY[v_count]);
    FOR v_i IN 1 .. v_count LOOP
        IF p_ids[v_i] = ANY (v_locked) THEN
            v_points[v_i] := p_ids[v_i];
        END IF;
    END LOOP;

    -- Phase 1: only promotion makes rows live, so while these are held no other live row of the
    -- group's digests can appear, and the winners below stay the only candidates until commit.
    FOR v_key IN
        SELECT DISTINCT hashtextextended(o.scope || chr(31) || o.digest, 7411) FROM {schema}.originals AS o
        WHERE o.id = ANY (v_locked) ORDER BY 1
    LOOP
        PERFORM pg_advisory_xact_lock(v_key);
    END LOOP;
    -- Phase 1b: a block and a promotion of the same digest are serialised (Install.v7.sql), so a
    -- digest blocked before this point is refused here and one blocked later waits for this commit.
    -- A refused item's row stays pending, for its ingest to abandon; the item gets nothing.
    FOR v_key IN
        SELECT DISTINCT hashtextextended(o.digest, 7412) FROM {schema}.originals AS o
        WHERE o.id = ANY (v_locked) ORDER BY 1
    LOOP
        PERFORM pg_advisory_xact_lock_shared(v_key);
    END LOOP;
    FOR v_i IN 1 .. v_count LOOP
        IF v_points[v_i] IS NOT NULL AND EXISTS (
            SELECT 1 FROM {schema}.originals AS o WHERE o.id = p_ids[v_i] AND {schema}.is_blocked(o.scope, o.digest)) THEN
            v_points[v_i] := NULL;
            v_locked := array_remove(v_locked, p_ids[v_i]);
        END IF;
    END LOOP;

    SELECT array_agg(w.id) INTO v_winners FROM {schema}.originals AS p
        JOIN {schema}.originals AS w ON w.scope = p.scope AND w.digest = p.digest AND w.state = 'live'
        WHERE p.id = ANY (v_locked);

    -- Phases 2 and 3. A new holder's row points at the item's own pending row until its turn.
    SELECT array_agg(o.scope ORDER BY i.n) INTO v_scopes
        FROM unnest(p_ids) WITH ORDINALITY AS i(id, n) LEFT JOIN {schema}.originals AS o ON o.id = i.id;
    SELECT h.o_previous, h.o_inserted INTO v_previous, v_inserted FROM {schema}.lock_holders(v_scopes, p_holders, v_points) AS h;
    PERFORM 1 FROM {schema}.originals AS o
        WHERE o.id = ANY (v_winners) OR o.id = ANY (v_previous) ORDER BY o.id FOR NO KEY UPDATE;

    FOR v_i IN 1 .. v_count LOOP
        CONTINUE WHEN v_points[v_i] IS NULL;
        SELECT o.scope, o.digest INTO v_scope, v_digest FROM {schema}.originals AS o WHERE o.id = p_ids[v_i];
        -- A live row now is a winner locked above or a row an earlier item made live (also locked).
        SELECT o.id INTO v_target FROM {schema}.originals AS o
            WHERE o.scope = v_scope AND o.digest = v_digest AND o.state = 'live';
        IF FOUND THEN
            -- Lost: the row is claimed (the caller deletes its blob, then the row), the holder goes to the winner.
            UPDATE {schema}.originals AS o SET state = 'deleting' WHERE o.id = p_ids[v_i];
        ELSE
            UPDATE {schema}.originals AS o SET state = 'live', orphaned_at = clock_timestamp() WHERE o.id = p_ids[v_i];
            v_target := p_ids[v_i];
        END IF;

        IF p_holders[v_i] IS NULL THEN
            IF v_target <> p_ids[v_i] THEN -- touch_orphan of the winner
                UPDATE {schema}.originals AS o SET orphaned_at = clock_timestamp()
                    WHERE o.id = v_target AND o.reference_count = 0;
            END IF;
            RETURN QUERY SELECT * FROM {schema}.indexed_row(v_i, v_target);
        ELSE
            RETURN QUERY SELECT * FROM {schema}.repoint_locked(v_i, v_scope, p_holders[v_i], v_target, v_previous[v_i], p_claim);
        END IF;
    END LOOP;
END
$imagededup$;
