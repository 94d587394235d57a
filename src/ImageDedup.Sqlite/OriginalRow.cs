using Microsoft.Data.Sqlite;

namespace ImageDedup.Sqlite;

/// <summary>Maps rows of the originals table to <see cref="Original"/>.</summary>
internal static class OriginalRow
{
    /// <summary>The column list every query that reads originals selects, in this order.</summary>
    public const string Columns =
        "id, scope, digest, length, content_type, storage_key, state, reference_count, created_at, updated_at, orphaned_at, blob_missing_since";

    public static Original Read(SqliteDataReader reader) => new()
    {
        Id = Guid.Parse(reader.GetString(0)),
        Scope = reader.GetString(1),
        Digest = ContentDigest.Parse(reader.GetString(2)),
        Length = reader.GetInt64(3),
        ContentType = reader.GetString(4),
        StorageKey = reader.GetString(5),
        State = (OriginalState)reader.GetInt32(6),
        ReferenceCount = reader.GetInt64(7),
        CreatedAt = FromUnixMilliseconds(reader.GetInt64(8)),
        UpdatedAt = FromUnixMilliseconds(reader.GetInt64(9)),
        OrphanedAt = reader.IsDBNull(10) ? null : FromUnixMilliseconds(reader.GetInt64(10)),
        BlobMissingSince = reader.IsDBNull(11) ? null : FromUnixMilliseconds(reader.GetInt64(11)),
    };

    public static HolderReference ReadHolder(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        Guid.Parse(reader.GetString(2)),
        FromUnixMilliseconds(reader.GetInt64(3)));

    /// <summary>The text form identifiers are stored in.</summary>
    public static string Key(Guid id) => id.ToString("D");

    public static DateTimeOffset FromUnixMilliseconds(long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
}
