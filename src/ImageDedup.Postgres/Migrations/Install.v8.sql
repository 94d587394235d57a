-- ImageDedup PostgreSQL schema, version 8: group commit for batch ingest.
-- {schema} is replaced by the quoted schema name before execution, as in Install.v1.sql; the library
-- runs this script after the previous version's, in the same transaction under the same lock.
-- (Version 5 is unused and version 7 belongs to another change; versions are numbered per change.)
--
-- A batch ingest pays one commit per step for a whole group of images instead of one per image:
-- try_attach_many and promote_many run try_attach and promote for each item of the group, in order,
-- in the one statement (one round trip, one transaction, one WAL flush) the store sends. The pending
-- inserts, claims and deletions of a group are plain set statements over array parameters and need
-- no function.
--
-- Locks: each item takes the locks its single-item function takes, in that function's order, and
-- keeps them until the statement commits; across items the documented order of Install.v1.sql
-- cannot be kept (item 2's reference row may sort before item 1's original). promote_many takes what
-- it can up front -- every pending row of the group, then every promotion lock (lock order 1) in one
-- global order -- so two groups never wait on each other's promotion locks in a cycle; a remaining
-- cycle between a group and another writer is a deadlock PostgreSQL detects (40P01) and breaks by
-- aborting one transaction, which the store runs again (it committed nothing). For the same reason
-- an item's second look after its target was claimed calls attach directly, not attach_or_unlock:
-- releasing one item's locks early could not restore an order the group does not keep, and a
-- subtransaction per item would cost a subtransaction id each.

-- One row of a *_many function: the position of the item (from 1) and the row its single-item
-- function returned.
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

-- try_attach for each (digest, holder), in order. An item whose holder already points at the live
-- original of its digest (a re-run) is answered without writing or locking anything: a concurrent
-- release of that holder is then simply ordered after this statement.
CREATE FUNCTION {schema}.try_attach_many(p_scope text, p_digests text[], p_holders text[], p_claim boolean)
RETURNS SETOF {schema}.indexed_change LANGUAGE plpgsql AS $imagededup$
DECLARE
    v_id uuid;
    v_count integer := coalesce(cardinality(p_digests), 0);
BEGIN
    IF v_count <> coalesce(cardinality(p_holders), 0) THEN
        RAISE EXCEPTION 'imagededup: % digests but % holders', v_count, coalesce(cardinality(p_holders), 0);
    END IF;

    FOR i IN 1 .. v_count LOOP
        IF p_holders[i] IS NOT NULL THEN
            RETURN QUERY
                SELECT i, 1::smallint, false, o.id, o.scope, o.digest, o.length, o.content_type, o.storage_key,
                       o.state, o.reference_count, o.created_at, o.updated_at, o.orphaned_at, o.blob_missing_since
                FROM {schema}."references" AS r JOIN {schema}.originals AS o ON o.id = r.original_id
                WHERE r.scope = p_scope AND r.holder = p_holders[i]
                  AND o.scope = p_scope AND o.digest = p_digests[i] AND o.state = 'live';
            CONTINUE WHEN FOUND;
        END IF;

        -- A second look only when the live row was claimed between the lookup and its lock.
        FOR attempt IN 1 .. 2 LOOP
            SELECT o.id INTO v_id FROM {schema}.originals AS o
                WHERE o.scope = p_scope AND o.digest = p_digests[i] AND o.state = 'live';
            EXIT WHEN NOT FOUND;
            IF p_holders[i] IS NULL THEN
                RETURN QUERY SELECT i, c.* FROM {schema}.touch_orphan(v_id) AS c;
            ELSE
                RETURN QUERY SELECT i, c.* FROM {schema}.attach(p_scope, p_holders[i], v_id, p_claim) AS c;
            END IF;
            EXIT WHEN FOUND;
        END LOOP;
    END LOOP;
END
$imagededup$;

-- promote for each (pending id, holder), in order. Returns nothing for an item whose row is missing or
-- no longer pending, as promote does; the other items go on.
CREATE FUNCTION {schema}.promote_many(p_ids uuid[], p_holders text[], p_claim boolean)
RETURNS SETOF {schema}.indexed_change LANGUAGE plpgsql AS $imagededup$
DECLARE
    v_key bigint;
    v_count integer := coalesce(cardinality(p_ids), 0);
BEGIN
    IF v_count <> coalesce(cardinality(p_holders), 0) THEN
        RAISE EXCEPTION 'imagededup: % originals but % holders', v_count, coalesce(cardinality(p_holders), 0);
    END IF;

    -- Nobody else locks a pending row while holding other locks, so taking them all first is safe.
    PERFORM 1 FROM {schema}.originals AS o
        WHERE o.id = ANY (p_ids) AND o.state = 'pending' ORDER BY o.id FOR NO KEY UPDATE;

    -- Lock order 1, for every digest of the group, in one global order.
    FOR v_key IN
        SELECT DISTINCT hashtextextended(o.scope || chr(31) || o.digest, 7411) FROM {schema}.originals AS o
        WHERE o.id = ANY (p_ids) AND o.state = 'pending' ORDER BY 1
    LOOP
        PERFORM pg_advisory_xact_lock(v_key);
    END LOOP;

    FOR i IN 1 .. v_count LOOP
        RETURN QUERY SELECT i, c.* FROM {schema}.promote(p_ids[i], p_holders[i], p_claim) AS c;
    END LOOP;
END
$imagededup$;
