using System.Data.Common;

namespace ImageDedup.Shared;

/// <summary>
/// Reads <see cref="OriginalStatistics"/> from the one row both relational stores' statistics queries
/// return (unique originals, stored bytes, orphans, orphan bytes, references, logical bytes, pending
/// originals, pending bytes, whether the counters are complete, in that order). Linked into each relational provider like <see cref="ListCursor"/>.
/// </summary>
internal static class StatisticsRow
{
    public static OriginalStatistics Read(DbDataReader reader) => new()
    {
        UniqueOriginals = reader.GetInt64(0),
        StoredBytes = reader.GetInt64(1),
        OrphanCount = reader.GetInt64(2),
        OrphanBytes = reader.GetInt64(3),
        References = reader.GetInt64(4),
        LogicalBytes = reader.GetInt64(5),
        PendingOriginals = reader.GetInt64(6),
        PendingBytes = reader.GetInt64(7),
        IsComplete = reader.GetBoolean(8),
    };
}
