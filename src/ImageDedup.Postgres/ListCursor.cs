using System.Buffers.Text;
using System.Text;

namespace ImageDedup.Postgres;

/// <summary>Opaque listing cursors: the last key of a page, base64url-encoded.</summary>
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
}
