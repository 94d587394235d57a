using System.Buffers.Text;
using System.Text;

namespace ImageDedup.Shared;

/// <summary>
/// Opaque listing cursors and pages for the relational reference stores: a cursor is the last key
/// of a page, base64url-encoded. Compiled into each provider (linked source), because providers
/// reference only the contracts and never each other.
/// </summary>
internal static class ListCursor
{
    public static string Encode(string lastKey) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(lastKey));

    public static string? Decode(string? cursor)
    {
        if (cursor is null)
        {
            return null;
        }

        try
        {
            return Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
        }
        catch (FormatException exception)
        {
            throw new ArgumentException("The cursor was not returned by this store.", nameof(cursor), exception);
        }
    }

    public static Guid? DecodeId(string? cursor)
    {
        var key = Decode(cursor);
        if (key is null)
        {
            return null;
        }

        return Guid.TryParse(key, out var id) ? id : throw new ArgumentException("The cursor was not returned by this store.", nameof(cursor));
    }

    /// <summary>
    /// Turns up to <paramref name="size"/> + 1 rows (the store reads one extra to learn whether
    /// more follow) into a page whose cursor names its last row.
    /// </summary>
    public static Page<T> ToPage<T>(List<T> rows, int size, Func<T, string> key)
    {
        if (rows.Count <= size)
        {
            return new Page<T>(rows, null);
        }

        rows.RemoveAt(rows.Count - 1);
        return new Page<T>(rows, Encode(key(rows[^1])));
    }
}
