using ImageDedup.Shared;

namespace ImageDedup.Engine;

/// <summary>Checks scope names and holder keys, and turns a holder prefix into a whole-segment prefix.</summary>
/// <remarks>
/// Names are compared by their UTF-16 code units. One with an unpaired surrogate has no UTF-8 form,
/// so a store could not keep it apart from another (SQLite writes U+FFFD for it): it is refused here,
/// before any store sees it, and by every store too (<see cref="Utf16Text"/>).
/// </remarks>
internal static class Names
{
    public const int MaxScopeLength = ImageDedupLimits.MaxScopeLength;
    public const int MaxHolderLength = ImageDedupLimits.MaxHolderLength;

    public static void ValidateScope(string scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        if (scope.Length > MaxScopeLength || ContainsControl(scope) || !Utf16Text.IsWellFormed(scope))
        {
            throw new ArgumentException($"A scope is at most {MaxScopeLength} characters of well-formed UTF-16 (no unpaired surrogate) without control characters.", nameof(scope));
        }
    }

    public static void ValidateHolder(string holder)
    {
        ArgumentException.ThrowIfNullOrEmpty(holder);
        if (holder.Length > MaxHolderLength || ContainsControl(holder) || !Utf16Text.IsWellFormed(holder))
        {
            throw new ArgumentException($"A holder key is 1 to {MaxHolderLength} characters of well-formed UTF-16 (no unpaired surrogate) without control characters.", nameof(holder));
        }
    }

    /// <summary>
    /// <c>projects/7</c> and <c>projects/7/</c> both become <c>projects/7/</c>, so a release by prefix
    /// matches whole segments only and never <c>projects/70/…</c>.
    /// </summary>
    public static string SegmentPrefix(string holderPrefix)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(holderPrefix);
        var prefix = holderPrefix.EndsWith('/') ? holderPrefix : holderPrefix + "/";
        if (prefix == "/")
        {
            throw new ArgumentException("A holder prefix must name at least one segment.", nameof(holderPrefix));
        }

        ValidateHolder(prefix);
        return prefix;
    }

    private static bool ContainsControl(string value)
    {
        foreach (var c in value)
        {
            if (char.IsControl(c))
            {
                return true;
            }
        }

        return false;
    }
}
