namespace ImageDedup.Shared;

/// <summary>
/// Well-formed UTF-16: every surrogate is half of a high-then-low pair. Linked into the engine and
/// every provider, so the engine and each store refuse the same names.
/// </summary>
/// <remarks>
/// A name with an unpaired surrogate has no UTF-8 form: SQLite stores U+FFFD in its place (so
/// <c>img\uD800</c> and <c>img\uD801</c> become one holder, and two scopes one tenant), and Npgsql
/// refuses to encode it. Refusing such names up front keeps names equal exactly when their
/// code units are.
/// </remarks>
internal static class Utf16Text
{
    /// <summary>Whether <paramref name="value"/> has no unpaired surrogate.</summary>
    public static bool IsWellFormed(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (!char.IsSurrogate(c))
            {
                continue;
            }

            if (!char.IsHighSurrogate(c) || i + 1 == value.Length || !char.IsLowSurrogate(value[i + 1]))
            {
                return false;
            }

            i++; // the low half of the pair
        }

        return true;
    }
}
