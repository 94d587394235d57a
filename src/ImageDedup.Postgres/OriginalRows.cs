using Npgsql;

namespace ImageDedup.Postgres;

/// <summary>Maps result rows to the contract's records.</summary>
internal static class OriginalRows
{
    /// <summary>The kind of row a function returns when it refused a blocked digest (Install.v7.sql).</summary>
    public const short BlockedKind = 3;

    /// <summary>One row of a store function: what it did, and one original (or, for a refusal, the scope and digest refused).</summary>
    public readonly record struct Change(short Kind, bool Added, Original? Original, long Count, string? RefusedScope = null, string? RefusedDigest = null);

    /// <summary>Reads the twelve original columns starting at <paramref name="offset"/>.</summary>
    public static Original Read(NpgsqlDataReader reader, int offset = 0) => new()
    {
        Id = reader.GetGuid(offset),
        Scope = reader.GetString(offset + 1),
        Digest = ContentDigest.Parse(reader.GetString(offset + 2)),
        Length = reader.GetInt64(offset + 3),
        ContentType = reader.GetString(offset + 4),
        StorageKey = reader.GetString(offset + 5),
        State = ParseState(reader.GetString(offset + 6)),
        ReferenceCount = reader.GetInt64(offset + 7),
        CreatedAt = reader.GetFieldValue<DateTimeOffset>(offset + 8),
        UpdatedAt = reader.GetFieldValue<DateTimeOffset>(offset + 9),
        OrphanedAt = reader.IsDBNull(offset + 10) ? null : reader.GetFieldValue<DateTimeOffset>(offset + 10),
        BlobMissingSince = reader.IsDBNull(offset + 11) ? null : reader.GetFieldValue<DateTimeOffset>(offset + 11),
    };

    /// <summary>Reads a row of the <c>original_change</c> type the functions return, starting at <paramref name="offset"/>.</summary>
    public static Change ReadChange(NpgsqlDataReader reader, int offset = 0)
    {
        var kind = reader.GetInt16(offset);
        var added = reader.GetBoolean(offset + 1);
        if (kind == BlockedKind)
        {
            return new Change(kind, added, null, 0, reader.GetString(offset + 3), reader.GetString(offset + 4));
        }

        return reader.IsDBNull(offset + 2)
            ? new Change(kind, added, null, reader.GetInt64(offset + 9))
            : new Change(kind, added, Read(reader, offset + 2), reader.GetInt64(offset + 9));
    }

    /// <summary>Reads a row of the <c>indexed_change</c> type the group-commit functions return: the item (from 1), then its change.</summary>
    public static (int Item, Change Change) ReadIndexedChange(NpgsqlDataReader reader) => (reader.GetInt32(0), ReadChange(reader, 1));

    /// <summary>Reads a row of <c>blocked_digests</c>: id, scope, digest, reason, blocked_by, blocked_at.</summary>
    public static (long Id, BlockListEntry Entry) ReadBlock(NpgsqlDataReader reader) => (
        reader.GetInt64(0),
        new BlockListEntry(
            reader.IsDBNull(1) ? null : reader.GetString(1),
            ContentDigest.Parse(reader.GetString(2)),
            reader.GetString(3),
            reader.GetString(4),
            reader.GetFieldValue<DateTimeOffset>(5)));

    public static HolderReference ReadHolder(NpgsqlDataReader reader)
        => new(reader.GetString(0), reader.GetString(1), reader.GetGuid(2), reader.GetFieldValue<DateTimeOffset>(3));

    private static OriginalState ParseState(string state) => state switch
    {
        "pending" => OriginalState.Pending,
        "live" => OriginalState.Live,
        "deleting" => OriginalState.Deleting,
        _ => throw new InvalidOperationException($"Unknown original state '{state}' in the database."),
    };
}
