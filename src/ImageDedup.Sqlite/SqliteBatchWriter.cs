using System.Text.Json;
using ImageDedup.Storage;
using Microsoft.Data.Sqlite;

namespace ImageDedup.Sqlite;

/// <summary>
/// The statements of the group-commit methods, run on a connection inside the store's transaction
/// (nothing here commits). Each item's common case — new bytes, a re-run, a holder that points
/// nowhere yet, a promotion nobody raced — is one to three prepared statements; every other case
/// takes the single-item path of <see cref="SqliteReferenceWriter"/> inside the same transaction, so
/// each item behaves exactly as its single-row counterpart.
/// </summary>
internal sealed class SqliteBatchWriter(SqliteStatements sql, SqliteBatchStatements batch, SqliteReferenceWriter single)
{
    public async Task<IReadOnlyList<ReferenceChange?>> TryAttachManyAsync(SqliteConnection c, SqliteTransaction t, string scope, IReadOnlyList<DigestAttachment> requests, bool claim, CancellationToken ct)
    {
        using var probe = new SqlitePreparedCommand(c, t, batch.AttachProbe, "@scope", "@digest", "@holder");
        using var insertReference = new SqlitePreparedCommand(c, t, batch.InsertReferenceIfAbsent, "@scope", "@holder", "@id");
        using var increment = new SqlitePreparedCommand(c, t, sql.Increment, "@id");
        using var blocked = new SqlitePreparedCommand(c, t, sql.Takedown.IsBlocked, "@scope", "@digest");
        var changes = new ReferenceChange?[requests.Count];
        for (var i = 0; i < requests.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var (digest, holder) = requests[i];

            // Refused bytes get nothing here, as when no original holds them: their promotion is refused
            // too (below), so the item is undone and told why, and the others go on.
            if (blocked.Bind(scope, digest.ToString()).QueryFirst(r => r.GetInt64(0)) != 0)
            {
                continue;
            }

            var found = probe.Bind(scope, digest.ToString(), holder).QueryFirst(r => new Probe(OriginalRow.Read(r), r.IsDBNull(12) ? null : r.GetString(12)));
            if (found is not { } live)
            {
                continue;
            }

            var key = OriginalRow.Key(live.Original.Id);
            if (holder is null ? live.Original.ReferenceCount > 0 : string.Equals(live.HolderTarget, key, StringComparison.Ordinal))
            {
                changes[i] = new ReferenceChange(live.Original, false, null);
            }
            else if (holder is not null && live.HolderTarget is null && insertReference.Bind(scope, holder, key).Execute() == 1)
            {
                changes[i] = new ReferenceChange(increment.Bind(key).QueryOriginal() ?? throw Vanished(live.Original.Id), true, null);
            }
            else
            {
                changes[i] = await single.TryAttachAsync(c, t, scope, digest, holder, claim, ct).ConfigureAwait(false);
            }
        }

        return changes;
    }

    public void InsertPendingMany(SqliteConnection c, SqliteTransaction t, IReadOnlyList<NewOriginal> originals, CancellationToken ct)
    {
        using var insert = new SqlitePreparedCommand(c, t, sql.InsertPending, "@id", "@scope", "@digest", "@length", "@contentType", "@storageKey");
        foreach (var original in originals)
        {
            ct.ThrowIfCancellationRequested();
            insert.Bind(OriginalRow.Key(original.Id), original.Scope, original.Digest.ToString(), original.Length, original.ContentType, original.StorageKey).Execute();
        }
    }

    public async Task<IReadOnlyList<ReferenceChange?>> PromoteManyAsync(SqliteConnection c, SqliteTransaction t, IReadOnlyList<PendingPromotion> promotions, bool claim, CancellationToken ct)
    {
        using var makeLive = new SqlitePreparedCommand(c, t, batch.MakeLiveIfFirst, "@id");
        using var insertReference = new SqlitePreparedCommand(c, t, batch.InsertReferenceIfAbsent, "@scope", "@holder", "@id");
        using var increment = new SqlitePreparedCommand(c, t, sql.Increment, "@id");
        using var referToPending = new SqlitePreparedCommand(c, t, batch.InsertReferenceToPending, "@holder", "@id");
        using var makeLiveReferenced = new SqlitePreparedCommand(c, t, batch.MakeLiveWithReference, "@id");
        using var undoReference = new SqlitePreparedCommand(c, t, batch.UndoReferenceToPending, "@holder", "@id");
        using var blocked = new SqlitePreparedCommand(c, t, sql.Takedown.IsOriginalBlocked, "@id");
        var changes = new ReferenceChange?[promotions.Count];
        for (var i = 0; i < promotions.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var (id, holder) = promotions[i];
            var key = OriginalRow.Key(id);

            // A blocked digest never goes live: the row stays pending for its ingest to undo, as the
            // single promotion leaves it (SQLite's one writer orders this against a block).
            if (blocked.Bind(key).QueryFirst(r => r.GetInt64(0)) != 0)
            {
                continue;
            }
            if (holder is not null && referToPending.Bind(holder, key).Execute() == 1)
            {
                if (makeLiveReferenced.Bind(key).QueryOriginal() is { } referenced)
                {
                    changes[i] = new ReferenceChange(referenced, true, null);
                    continue;
                }

                undoReference.Bind(holder, key).Execute();
            }

            if (makeLive.Bind(key).QueryOriginal() is { } live)
            {
                changes[i] = holder is null ? new ReferenceChange(live, false, null)
                    : insertReference.Bind(live.Scope, holder, key).Execute() == 1
                        ? new ReferenceChange(increment.Bind(key).QueryOriginal() ?? throw Vanished(id), true, null)
                        : await single.AttachAsync(c, t, live, holder, claim, ct).ConfigureAwait(false);
            }
            else if (await SqliteCommands.OriginalAsync(c, t, sql.SelectById, ct, ("@id", key)).ConfigureAwait(false) is { State: OriginalState.Pending })
            {
                // Another live original of the digest won: the general path claims this row and attaches the holder there.
                changes[i] = await single.PromoteAsync(c, t, id, holder, claim, ct).ConfigureAwait(false);
            }
        }

        return changes;
    }

    public Task<List<Original>> ClaimPendingManyAsync(SqliteConnection c, SqliteTransaction t, IReadOnlyCollection<Guid> ids, CancellationToken ct)
        => SqliteCommands.OriginalsAsync(c, t, batch.ClaimPendingMany, ct, ("@ids", KeysJson(ids)));

    public Task<int> DeleteClaimedManyAsync(SqliteConnection c, SqliteTransaction t, IReadOnlyCollection<Guid> ids, CancellationToken ct)
        => SqliteCommands.NonQueryAsync(c, t, batch.DeleteClaimedMany, ct, ("@ids", KeysJson(ids)));

    private static string KeysJson(IReadOnlyCollection<Guid> ids)
        => JsonSerializer.Serialize(ids.Select(OriginalRow.Key).ToArray(), SqliteJson.Default.IReadOnlyCollectionString);

    private static InvalidOperationException Vanished(Guid id) => new($"The original '{id}' stopped being live inside the transaction.");

    private sealed record Probe(Original Original, string? HolderTarget);
}
