namespace ImageDedup.Shared;

/// <summary>
/// The key range of a holder prefix for the relational stores, whose holder keys compare by code point
/// (PostgreSQL <c>COLLATE "C"</c>, SQLite <c>BINARY</c>). Linked into each relational provider like
/// <see cref="ListCursor"/>.
/// </summary>
internal static class HolderRange
{
    /// <summary>
    /// The exclusive upper bound: the prefix with its last character incremented, or null when that
    /// character has no safe successor (the store then uses its open-ended statement). Every key that
    /// starts with the prefix sorts in [prefix, upper) in code-point (UTF-8 byte) order, and wildcard
    /// characters are ordinary characters here.
    /// </summary>
    public static string? UpperBound(string prefix)
    {
        var last = prefix[^1];
        if (char.IsSurrogate(last) || last == '\uD7FF' || last == char.MaxValue)
        {
            return null;
        }

        return string.Concat(prefix.AsSpan(0, prefix.Length - 1), new string((char)(last + 1), 1));
    }
}
