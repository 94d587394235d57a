using System.Globalization;
using Microsoft.Data.Sqlite;

namespace ImageDedup.Sqlite;

/// <summary>
/// The takedown capability's statements (block list, purge claims, releasing a claimed original's
/// references), run inside a transaction the caller owns. Nothing here commits.
/// </summary>
internal sealed class SqliteTakedownWriter(SqliteTakedownStatements sql)
{
    public async Task<BlockListEntry> BlockAsync(SqliteConnection c, SqliteTransaction t, string? scope, ContentDigest digest, string blockedBy, string reason, CancellationToken ct)
    {
        var rows = await SqliteCommands.QueryAsync(
            c, t, scope is null ? sql.BlockGlobal : sql.BlockScoped, r => ReadEntry(r, 0), ct,
            ("@scope", scope), ("@digest", digest.ToString()), ("@by", blockedBy), ("@reason", reason)).ConfigureAwait(false);
        return rows[0];
    }

    public async Task<bool> UnblockAsync(SqliteConnection c, SqliteTransaction t, string? scope, ContentDigest digest, CancellationToken ct)
        => await SqliteCommands.NonQueryAsync(c, t, scope is null ? sql.UnblockGlobal : sql.UnblockScoped, ct, ("@scope", scope), ("@digest", digest.ToString())).ConfigureAwait(false) > 0;

    public async Task<Original?> ClaimAsync(SqliteConnection c, SqliteTransaction t, Guid id, CancellationToken ct)
        => await SqliteCommands.OriginalAsync(c, t, sql.ClaimLive, ct, ("@id", OriginalRow.Key(id))).ConfigureAwait(false)
            ?? await SqliteCommands.OriginalAsync(c, t, sql.SelectDeleting, ct, ("@id", OriginalRow.Key(id))).ConfigureAwait(false);

    public async Task<IReadOnlyList<Original>> ClaimAsync(SqliteConnection c, SqliteTransaction t, string? scope, ContentDigest digest, Guid? after, int batchSize, CancellationToken ct)
    {
        var claimed = await SqliteCommands.OriginalsAsync(
            c, t, sql.ClaimDigest, ct,
            ("@digest", digest.ToString()), ("@scope", scope), ("@after", after is { } a ? OriginalRow.Key(a) : null), ("@limit", batchSize)).ConfigureAwait(false);

        // RETURNING has no order; the caller pages on the last identifier, in the store's (text) order.
        claimed.Sort((x, y) => string.CompareOrdinal(OriginalRow.Key(x.Id), OriginalRow.Key(y.Id)));
        return claimed;
    }

    public async Task<IReadOnlyList<HolderReference>> ReleaseClaimedAsync(SqliteConnection c, SqliteTransaction t, Guid id, int batchSize, CancellationToken ct)
    {
        var key = OriginalRow.Key(id);
        if (await SqliteCommands.OriginalAsync(c, t, sql.SelectDeleting, ct, ("@id", key)).ConfigureAwait(false) is null)
        {
            return [];
        }

        var released = await SqliteCommands.QueryAsync(c, t, sql.ReleaseClaimed, OriginalRow.ReadHolder, ct, ("@id", key), ("@limit", batchSize)).ConfigureAwait(false);
        if (released.Count > 0)
        {
            await SqliteCommands.NonQueryAsync(c, t, sql.TakeClaimed, ct, ("@id", key), ("@count", released.Count)).ConfigureAwait(false);
            released.Sort((x, y) => string.CompareOrdinal(x.Holder, y.Holder));
        }

        return released;
    }

    /// <summary>Reads the five entry columns starting at <paramref name="offset"/>.</summary>
    public static BlockListEntry ReadEntry(SqliteDataReader r, int offset) => new(
        r.IsDBNull(offset) ? null : r.GetString(offset),
        ContentDigest.Parse(r.GetString(offset + 1)),
        r.GetString(offset + 2),
        r.GetString(offset + 3),
        OriginalRow.FromUnixMilliseconds(r.GetInt64(offset + 4)));

    /// <summary>The listing cursor of an entry: its row id.</summary>
    public static string Key(long id) => id.ToString(CultureInfo.InvariantCulture);
}
