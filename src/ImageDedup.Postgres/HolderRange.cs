namespace ImageDedup.Postgres;

/// <summary>The byte-wise key range of a holder prefix, for the COLLATE "C" primary key.</summary>
internal static class HolderRange
{
    /// <summary>
    /// The exclusive upper bound: the prefix with its last character incremented, or null when that
    /// character has no safe successor (the store then matches with <c>starts_with</c>). Every key that
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
