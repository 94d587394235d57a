using ImageDedup.Shared;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace ImageDedup.Sqlite;

/// <summary>
/// The statements of each store operation, run on a connection inside a transaction the caller owns
/// (the store's own <c>BEGIN IMMEDIATE</c> or a host transaction). Nothing here commits.
/// </summary>
internal sealed class SqliteReferenceWriter
{
    private readonly SqliteStatements _sql;
    private readonly ILogger _logger;

    public SqliteReferenceWriter(SqliteStatements sql, ILogger logger)
    {
        _sql = sql;
        _logger = logger;
    }

    public async Task<ReferenceChange?> TryAttachAsync(SqliteConnection c, SqliteTransaction t, string scope, ContentDigest digest, string? holder, bool claim, CancellationToken ct)
    {
        await RefuseBlockedAsync(c, t, scope, digest, ct).ConfigureAwait(false);
        var live = await SqliteCommands.OriginalAsync(c, t, _sql.SelectLiveByDigest, ct, ("@scope", scope), ("@digest", digest.ToString())).ConfigureAwait(false);
        if (live is null)
        {
            return null;
        }

        if (holder is null)
        {
            return new ReferenceChange(await RefreshOrphanAsync(c, t, live, ct).ConfigureAwait(false), false, null);
        }

        return await AttachAsync(c, t, live, holder, claim, ct).ConfigureAwait(false);
    }

    public async Task<bool> InsertPendingAsync(SqliteConnection c, SqliteTransaction t, NewOriginal original, CancellationToken ct)
    {
        await SqliteCommands.NonQueryAsync(
            c,
            t,
            _sql.InsertPending,
            ct,
            ("@id", OriginalRow.Key(original.Id)),
            ("@scope", original.Scope),
            ("@digest", original.Digest.ToString()),
            ("@length", original.Length),
            ("@contentType", original.ContentType),
            ("@storageKey", original.StorageKey)).ConfigureAwait(false);
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            _logger.LogDebug("Inserted pending original {OriginalId} ({Digest}) in scope '{Scope}'.", original.Id, original.Digest.ToString(), original.Scope);
        }

        return true;
    }

    public async Task<ReferenceChange> PromoteAsync(SqliteConnection c, SqliteTransaction t, Guid pendingId, string? holder, bool claim, CancellationToken ct)
    {
        var pending = await SqliteCommands.OriginalAsync(c, t, _sql.SelectById, ct, ("@id", OriginalRow.Key(pendingId))).ConfigureAwait(false);
        if (pending is null || pending.State != OriginalState.Pending)
        {
            throw new InvalidOperationException($"The original '{pendingId}' is {(pending is null ? "missing" : pending.State.ToString())}, not pending.");
        }

        // Inside the write transaction, so a block committed before it is seen and one after it waits:
        // once blocked, the digest never becomes live again. The pending row stays for its ingest to abandon.
        await RefuseBlockedAsync(c, t, pending.Scope, pending.Digest, ct).ConfigureAwait(false);

        var winner = await SqliteCommands.OriginalAsync(c, t, _sql.SelectLiveByDigest, ct, ("@scope", pending.Scope), ("@digest", pending.Digest.ToString())).ConfigureAwait(false);
        Original target;
        if (winner is not null)
        {
            // Claimed, not deleted: the row stays, unreachable, until the caller has deleted its blob.
            await SqliteCommands.NonQueryAsync(c, t, _sql.ClaimPending, ct, ("@id", OriginalRow.Key(pendingId))).ConfigureAwait(false);
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                _logger.LogDebug("Pending original {PendingId} lost the race to live original {OriginalId}; pending row claimed for deletion.", pendingId, winner.Id);
            }

            target = holder is null ? await RefreshOrphanAsync(c, t, winner, ct).ConfigureAwait(false) : winner;
        }
        else
        {
            await SqliteCommands.NonQueryAsync(c, t, _sql.MakeLive, ct, ("@id", OriginalRow.Key(pendingId))).ConfigureAwait(false);
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                _logger.LogDebug("Original {OriginalId} is live.", pendingId);
            }
            target = await RequireAsync(c, t, pendingId, ct).ConfigureAwait(false);
        }

        return holder is null
            ? new ReferenceChange(target, false, null)
            : await AttachAsync(c, t, target, holder, claim, ct).ConfigureAwait(false);
    }

    public async Task<ReferenceChange> AddReferenceAsync(SqliteConnection c, SqliteTransaction t, string scope, string holder, Guid originalId, bool claim, CancellationToken ct)
    {
        var target = await SqliteCommands.OriginalAsync(c, t, _sql.SelectLiveById, ct, ("@id", OriginalRow.Key(originalId)), ("@scope", scope)).ConfigureAwait(false)
            ?? throw new OriginalNotFoundException(originalId, scope);
        await RefuseBlockedAsync(c, t, scope, target.Digest, ct).ConfigureAwait(false);
        return await AttachAsync(c, t, target, holder, claim, ct).ConfigureAwait(false);
    }

    public async Task<ReleaseOutcome> ReleaseAsync(SqliteConnection c, SqliteTransaction t, string scope, string holder, bool claim, CancellationToken ct)
    {
        var originalKey = (string?)await SqliteCommands.ScalarAsync(c, t, _sql.DeleteReference, ct, ("@scope", scope), ("@holder", holder)).ConfigureAwait(false);
        if (originalKey is null)
        {
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                _logger.LogDebug("Holder '{Holder}' in scope '{Scope}' had no reference; nothing released.", holder, scope);
            }
            return new ReleaseOutcome(null);
        }

        var original = await DecrementAsync(c, t, originalKey, 1, claim, ct).ConfigureAwait(false);
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            _logger.LogDebug("Released holder '{Holder}' of original {OriginalId}; {Count} references left, state {State}.", holder, original.Id, original.ReferenceCount, original.State);
        }

        return new ReleaseOutcome(original);
    }

    public async Task<PrefixReleaseBatch> ReleasePrefixBatchAsync(SqliteConnection c, SqliteTransaction t, string scope, string prefix, int batchSize, bool claim, CancellationToken ct)
    {
        var upper = HolderRange.UpperBound(prefix);
        var sql = upper is null ? _sql.DeletePrefixOpen : _sql.DeletePrefixRange;
        var keys = await SqliteCommands.QueryAsync(c, t, sql, r => r.GetString(0), ct, ("@scope", scope), ("@prefix", prefix), ("@upper", upper), ("@limit", batchSize)).ConfigureAwait(false);

        var claimed = new List<Original>();
        var orphaned = 0;
        foreach (var group in keys.GroupBy(k => k, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var original = await DecrementAsync(c, t, group.Key, group.Count(), claim, ct).ConfigureAwait(false);
            if (original.ReferenceCount == 0)
            {
                orphaned++;
                if (original.State == OriginalState.Deleting)
                {
                    claimed.Add(original);
                }
            }
        }

        if (_logger.IsEnabled(LogLevel.Debug))
        {
            _logger.LogDebug("Released {Released} references under '{Prefix}' in scope '{Scope}'; {Orphaned} originals orphaned, {Claimed} claimed.", keys.Count, prefix, scope, orphaned, claimed.Count);
        }

        return new PrefixReleaseBatch(keys.Count, claimed, orphaned);
    }

    public async Task<IReadOnlyList<Original>> ClaimOrphansAsync(SqliteConnection c, SqliteTransaction t, string? scope, TimeSpan gracePeriod, int batchSize, CancellationToken ct)
    {
        var graceMs = (long)Math.Ceiling(gracePeriod.TotalMilliseconds);
        var claimed = await SqliteCommands.OriginalsAsync(c, t, _sql.ClaimOrphans, ct, ("@scope", scope), ("@graceMs", graceMs), ("@limit", batchSize)).ConfigureAwait(false);
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            _logger.LogDebug("Claimed {Count} orphaned originals for deletion.", claimed.Count);
        }

        return claimed;
    }

    /// <summary>Throws <see cref="BlockedContentException"/> when the digest is on the block list of the scope or of every scope.</summary>
    private async Task RefuseBlockedAsync(SqliteConnection c, SqliteTransaction t, string scope, ContentDigest digest, CancellationToken ct)
    {
        if (Convert.ToInt64(await SqliteCommands.ScalarAsync(c, t, _sql.Takedown.IsBlocked, ct, ("@scope", scope), ("@digest", digest.ToString())).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) != 0)
        {
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                _logger.LogDebug("Refused {Digest} in scope '{Scope}': it is blocked.", digest.ToString(), scope);
            }

            throw new BlockedContentException(digest, scope);
        }
    }

    public static async Task<bool> DeleteRowAsync(SqliteConnection c, SqliteTransaction t, string sql, Guid id, CancellationToken ct)
        => await SqliteCommands.NonQueryAsync(c, t, sql, ct, ("@id", OriginalRow.Key(id))).ConfigureAwait(false) > 0;

    /// <summary>Points the holder at the live <paramref name="target"/>, releasing whatever it pointed at before.</summary>
    internal async Task<ReferenceChange> AttachAsync(SqliteConnection c, SqliteTransaction t, Original target, string holder, bool claim, CancellationToken ct)
    {
        var targetKey = OriginalRow.Key(target.Id);
        var previousKey = (string?)await SqliteCommands.ScalarAsync(c, t, _sql.SelectHolderTarget, ct, ("@scope", target.Scope), ("@holder", holder)).ConfigureAwait(false);
        if (string.Equals(previousKey, targetKey, StringComparison.Ordinal))
        {
            return new ReferenceChange(target, false, null);
        }

        var write = previousKey is null ? _sql.InsertReference : _sql.RepointReference;
        await SqliteCommands.NonQueryAsync(c, t, write, ct, ("@scope", target.Scope), ("@holder", holder), ("@id", targetKey)).ConfigureAwait(false);

        var attached = await SqliteCommands.OriginalAsync(c, t, _sql.Increment, ct, ("@id", targetKey)).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"The original '{target.Id}' stopped being live inside the transaction.");
        var displaced = previousKey is null ? null : await DecrementAsync(c, t, previousKey, 1, claim, ct).ConfigureAwait(false);
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            _logger.LogDebug("Holder '{Holder}' now points at original {OriginalId} ({Count} references); displaced {DisplacedId}.", holder, attached.Id, attached.ReferenceCount, displaced?.Id);
        }

        return new ReferenceChange(attached, true, displaced);
    }

    /// <summary>Takes <paramref name="count"/> references off the original; when that orphans it and <paramref name="claim"/>, claims it for deletion.</summary>
    private async Task<Original> DecrementAsync(SqliteConnection c, SqliteTransaction t, string originalKey, int count, bool claim, CancellationToken ct)
    {
        var original = await SqliteCommands.OriginalAsync(c, t, _sql.Decrement, ct, ("@id", originalKey), ("@count", count)).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"A reference pointed at the missing original '{originalKey}'.");
        return claim && original is { ReferenceCount: 0, State: OriginalState.Live }
            ? await SqliteCommands.OriginalAsync(c, t, _sql.ClaimReleased, ct, ("@id", originalKey)).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"The orphaned original '{originalKey}' changed inside the transaction.")
            : original;
    }

    private async Task<Original> RefreshOrphanAsync(SqliteConnection c, SqliteTransaction t, Original original, CancellationToken ct)
    {
        if (original.ReferenceCount != 0)
        {
            return original;
        }

        await SqliteCommands.NonQueryAsync(c, t, _sql.RefreshOrphan, ct, ("@id", OriginalRow.Key(original.Id))).ConfigureAwait(false);
        return await RequireAsync(c, t, original.Id, ct).ConfigureAwait(false);
    }

    private async Task<Original> RequireAsync(SqliteConnection c, SqliteTransaction t, Guid id, CancellationToken ct)
        => await SqliteCommands.OriginalAsync(c, t, _sql.SelectById, ct, ("@id", OriginalRow.Key(id))).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"The original '{id}' vanished inside the transaction.");
}
