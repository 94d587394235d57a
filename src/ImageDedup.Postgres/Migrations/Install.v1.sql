-- ImageDedup PostgreSQL schema, version 1.
-- {schema} is replaced by the quoted schema name (for example "imagededup") before execution. The
-- library runs this script in one transaction under pg_advisory_xact_lock, after creating the schema
-- and {schema}.schema_version, and then records version 1 there. To install by hand, see README.md.
--
-- Lock order, kept by every function below so that concurrent calls cannot deadlock:
--   1. the promotion lock of one (scope, digest)   (pg_advisory_xact_lock, promote only)
--   2. reference rows, in (scope, holder) order      (row locks, or the insert of a new key)
--   3. originals, in id order                         (FOR NO KEY UPDATE)
-- FOR KEY SHARE on an original (taken before writing a reference that points at it) only conflicts
-- with deleting that row, which happens to unreferenced rows alone.

CREATE TABLE {schema}.originals (
    id              uuid        NOT NULL PRIMARY KEY,
    scope           text        NOT NULL,
    digest          text        NOT NULL,               -- 'sha256:<64 lowercase hex>'
    length          bigint      NOT NULL CHECK (length >= 0),
    content_type    text        NOT NULL,
    storage_key     text        NOT NULL UNIQUE,         -- never reused by another row
    state           text        NOT NULL CHECK (state IN ('pending', 'live', 'deleting')),
    reference_count bigint      NOT NULL DEFAULT 0 CHECK (reference_count >= 0),
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    orphaned_at     timestamptz NULL,                    -- when the count last reached 0; null while referenced
    blob_missing_since timestamptz NULL,                 -- set by reconcile/verify when a live row's blob is gone
    CONSTRAINT originals_orphaned_iff_unreferenced CHECK ((reference_count = 0) = (orphaned_at IS NOT NULL)),
    CONSTRAINT originals_only_live_is_referenced CHECK (state = 'live' OR reference_count = 0)
);

-- At most one LIVE row per (scope, digest); also the digest lookup. Deliberately live-only: a crashed
-- ingest's pending row must never block later ingests of the same bytes. Pending rows of one digest
-- race in promote(); the loser's row is deleted and its holder attached to the winner.
CREATE UNIQUE INDEX originals_live_digest ON {schema}.originals (scope, digest) WHERE state = 'live';

-- Orphan scan for garbage collection: live originals without references, oldest orphan first.
CREATE INDEX originals_orphans ON {schema}.originals (orphaned_at, scope) WHERE state = 'live' AND reference_count = 0;

-- Reconcile: pending rows of crashed ingests and deletions whose claimer died, oldest first.
CREATE INDEX originals_unsettled ON {schema}.originals (state, updated_at) WHERE state <> 'live';

-- Listing a scope in a stable order.
CREATE INDEX originals_scope ON {schema}.originals (scope, id);

CREATE FUNCTION {schema}.touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $imagededup$
BEGIN
    NEW.updated_at := clock_timestamp();
    RETURN NEW;
END
$imagededup$;

CREATE TRIGGER originals_updated_at BEFORE UPDATE ON {schema}.originals
    FOR EACH ROW EXECUTE FUNCTION {schema}.touch_updated_at();

-- Named references. holder is COLLATE "C" so the primary key (scope, holder) is also the holder-prefix
-- index: `holder >= prefix AND holder < upper` is a byte-wise range scan with no wildcard semantics.
CREATE TABLE {schema}."references" (
    scope       text        NOT NULL,
    holder      text        COLLATE "C" NOT NULL,
    original_id uuid        NOT NULL REFERENCES {schema}.originals (id),
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (scope, holder)
);

-- The holders of one original (listing, and the foreign key's check when an original is deleted).
CREATE INDEX references_original ON {schema}."references" (original_id, holder);

-- The row shape every function returns: what it did (kind), then one original.
--   kind 1: the original the holder points at / the released or claimed original
--   kind 2: the original a re-pointed holder left (displaced)
CREATE TYPE {schema}.original_change AS (
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

-- Takes p_count references away from one original (already locked by the caller). The statement that
-- sees the count reach zero records the orphan time and, when asked, claims the deletion.
CREATE FUNCTION {schema}.take_references(p_id uuid, p_count bigint, p_claim boolean)
RETURNS SETOF {schema}.original_change LANGUAGE sql AS $imagededup$
    UPDATE {schema}.originals AS o SET
        reference_count = o.reference_count - p_count,
        orphaned_at = CASE WHEN o.reference_count = p_count THEN clock_timestamp() ELSE o.orphaned_at END,
        state = CASE WHEN o.reference_count = p_count AND p_claim THEN 'deleting' ELSE o.state END
    WHERE o.id = p_id
    RETURNING 2::smallint, false, o.id, o.scope, o.digest, o.length, o.content_type, o.storage_key,
              o.state, o.reference_count, o.created_at, o.updated_at, o.orphaned_at, o.blob_missing_since;
$imagededup$;

-- Gives a live, unreferenced original a fresh orphan time (an ingest without holder found it) and
-- returns it; returns a referenced live original unchanged; returns nothing when it is not live.
CREATE FUNCTION {schema}.touch_orphan(p_id uuid)
RETURNS SETOF {schema}.original_change LANGUAGE plpgsql AS $imagededup$
BEGIN
    PERFORM 1 FROM {schema}.originals AS o WHERE o.id = p_id AND o.state = 'live' FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    UPDATE {schema}.originals AS o SET orphaned_at = clock_timestamp()
        WHERE o.id = p_id AND o.reference_count = 0;
    RETURN QUERY
        SELECT 1::smallint, false, o.id, o.scope, o.digest, o.length, o.content_type, o.storage_key,
               o.state, o.reference_count, o.created_at, o.updated_at, o.orphaned_at, o.blob_missing_since
        FROM {schema}.originals AS o WHERE o.id = p_id;
END
$imagededup$;

-- Points (p_scope, p_holder) at the live original p_target, releasing the original it pointed at
-- before. Returns nothing, and leaves nothing written, when p_target is not a live original of
-- p_scope. Never raises for that case, so a host transaction stays usable.
CREATE FUNCTION {schema}.attach(p_scope text, p_holder text, p_target uuid, p_claim boolean)
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

-- Ingest of known bytes: attaches the holder to the live original of (scope, digest), or refreshes its
-- orphan time when there is no holder. Returns nothing when no live original exists.
CREATE FUNCTION {schema}.try_attach(p_scope text, p_digest text, p_holder text, p_claim boolean)
RETURNS SETOF {schema}.original_change LANGUAGE plpgsql AS $imagededup$
DECLARE
    v_id uuid;
BEGIN
    -- A second look only when the live row was claimed between the lookup and its lock.
    FOR attempt IN 1..2 LOOP
        SELECT o.id INTO v_id FROM {schema}.originals AS o
            WHERE o.scope = p_scope AND o.digest = p_digest AND o.state = 'live';
        IF NOT FOUND THEN
            RETURN;
        END IF;
        IF p_holder IS NULL THEN
            RETURN QUERY SELECT * FROM {schema}.touch_orphan(v_id);
        ELSE
            RETURN QUERY SELECT * FROM {schema}.attach(p_scope, p_holder, v_id, p_claim);
        END IF;
        IF FOUND THEN
            RETURN;
        END IF;
    END LOOP;
END
$imagededup$;

-- Makes a pending original live and attaches the holder, or, when another live original of the same
-- digest won, deletes the pending row and attaches the holder to the winner. Returns nothing when the
-- row is missing or not pending.
CREATE FUNCTION {schema}.promote(p_id uuid, p_holder text, p_claim boolean)
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
        IF p_holder IS NULL THEN
            RETURN QUERY SELECT * FROM {schema}.touch_orphan(v_winner);
        ELSE
            RETURN QUERY SELECT * FROM {schema}.attach(v_scope, p_holder, v_winner, p_claim);
        END IF;
        IF FOUND THEN -- lost the race: the pending row goes, the caller deletes its blob
            DELETE FROM {schema}.originals AS o WHERE o.id = p_id;
            RETURN;
        END IF;
        -- the winner was claimed meanwhile; the next look finds no live row
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

-- Releases up to p_batch references of one scope whose holders lie in [p_lower, p_upper) (p_upper null:
-- every holder starting with p_lower). Returns a first row with kind 0 whose reference_count is the
-- number released, then one row per original the batch left without references.
CREATE FUNCTION {schema}.release_prefix(p_scope text, p_lower text, p_upper text, p_batch integer, p_claim boolean)
RETURNS SETOF {schema}.original_change LANGUAGE plpgsql AS $imagededup$
DECLARE
    v_ids uuid[] := '{}';
    v_taken uuid[];
    v_released integer := 0;
    v_n integer;
BEGIN
    LOOP
        -- Lock order 2: reference rows in holder order. A row another release deleted while this one
        -- waited is skipped, so the loop tops the batch up from a fresh snapshot.
        IF p_upper IS NULL THEN
            WITH victims AS (
                SELECT r.scope, r.holder FROM {schema}."references" AS r
                WHERE r.scope = p_scope AND r.holder >= p_lower AND starts_with(r.holder, p_lower)
                ORDER BY r.holder LIMIT p_batch - v_released FOR UPDATE),
            gone AS (
                DELETE FROM {schema}."references" AS r USING victims AS v
                WHERE r.scope = v.scope AND r.holder = v.holder RETURNING r.original_id)
            SELECT array_agg(gone.original_id) INTO v_taken FROM gone;
        ELSE
            WITH victims AS (
                SELECT r.scope, r.holder FROM {schema}."references" AS r
                WHERE r.scope = p_scope AND r.holder >= p_lower AND r.holder < p_upper
                ORDER BY r.holder LIMIT p_batch - v_released FOR UPDATE),
            gone AS (
                DELETE FROM {schema}."references" AS r USING victims AS v
                WHERE r.scope = v.scope AND r.holder = v.holder RETURNING r.original_id)
            SELECT array_agg(gone.original_id) INTO v_taken FROM gone;
        END IF;
        v_n := coalesce(cardinality(v_taken), 0);
        v_ids := v_ids || coalesce(v_taken, '{}');
        v_released := v_released + v_n;
        EXIT WHEN v_released >= p_batch;
        IF v_n = 0 THEN
            EXIT WHEN NOT EXISTS (
                SELECT 1 FROM {schema}."references" AS r
                WHERE r.scope = p_scope AND r.holder >= p_lower
                  AND (CASE WHEN p_upper IS NULL THEN starts_with(r.holder, p_lower) ELSE r.holder < p_upper END));
        END IF;
    END LOOP;

    RETURN QUERY SELECT 0::smallint, false, NULL::uuid, p_scope, NULL::text, NULL::bigint, NULL::text,
        NULL::text, NULL::text, v_released::bigint, NULL::timestamptz, NULL::timestamptz, NULL::timestamptz, NULL::timestamptz;
    IF v_released = 0 THEN
        RETURN;
    END IF;

    -- Lock order 3: originals by id, then take each one's references in one update.
    PERFORM 1 FROM {schema}.originals AS o WHERE o.id = ANY (v_ids) ORDER BY o.id FOR NO KEY UPDATE;
    RETURN QUERY
        WITH counts AS (
            SELECT t.id, count(*) AS n FROM unnest(v_ids) AS t(id) GROUP BY t.id),
        changed AS (
            UPDATE {schema}.originals AS o SET
                reference_count = o.reference_count - c.n,
                orphaned_at = CASE WHEN o.reference_count = c.n THEN clock_timestamp() ELSE o.orphaned_at END,
                state = CASE WHEN o.reference_count = c.n AND p_claim THEN 'deleting' ELSE o.state END
            FROM counts AS c WHERE o.id = c.id
            RETURNING o.id, o.scope, o.digest, o.length, o.content_type, o.storage_key,
                      o.state, o.reference_count, o.created_at, o.updated_at, o.orphaned_at, o.blob_missing_since)
        SELECT 1::smallint, false, ch.* FROM changed AS ch WHERE ch.reference_count = 0 ORDER BY ch.id;
END
$imagededup$;
