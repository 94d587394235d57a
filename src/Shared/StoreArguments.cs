using System.Runtime.CompilerServices;

namespace ImageDedup.Shared;

/// <summary>Argument checks every reference store makes; linked into each provider like <see cref="ListCursor"/>.</summary>
internal static class StoreArguments
{
    /// <summary>Rejects the default (empty) digest.</summary>
    public static void RequireDigest(ContentDigest digest)
    {
        if (digest.IsEmpty)
        {
            throw new ArgumentException("The digest is empty.", nameof(digest));
        }
    }

    /// <summary>Rejects a null scope and one that is not well-formed UTF-16 (see <see cref="Utf16Text"/>).</summary>
    public static void RequireScope(string scope, [CallerArgumentExpression(nameof(scope))] string? paramName = null)
    {
        ArgumentNullException.ThrowIfNull(scope, paramName);
        RequireWellFormed(scope, "scope", paramName);
    }

    /// <summary>Like <see cref="RequireScope"/>, where null means every scope.</summary>
    public static void RequireScopeOrNull(string? scope, [CallerArgumentExpression(nameof(scope))] string? paramName = null)
    {
        if (scope is not null)
        {
            RequireWellFormed(scope, "scope", paramName);
        }
    }

    /// <summary>Rejects a null or empty holder key (or holder prefix) and one that is not well-formed UTF-16.</summary>
    public static void RequireHolder(string holder, [CallerArgumentExpression(nameof(holder))] string? paramName = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(holder, paramName);
        RequireWellFormed(holder, "holder key", paramName);
    }

    /// <summary>Like <see cref="RequireHolder"/>, where null means no holder.</summary>
    public static void RequireHolderOrNull(string? holder, [CallerArgumentExpression(nameof(holder))] string? paramName = null)
    {
        if (holder is not null)
        {
            RequireHolder(holder, paramName);
        }
    }

    /// <summary>The checks of one pending insert: scope, digest, a length, a type and a key.</summary>
    public static void RequireNewOriginal(NewOriginal original)
    {
        ArgumentNullException.ThrowIfNull(original);
        RequireScope(original.Scope);
        RequireDigest(original.Digest);
        ArgumentOutOfRangeException.ThrowIfNegative(original.Length);
        ArgumentException.ThrowIfNullOrEmpty(original.ContentType);
        ArgumentException.ThrowIfNullOrEmpty(original.StorageKey);
    }

    /// <summary>Every item of a batch is checked before anything is written: a bad one fails the call, not half of it.</summary>
    public static void RequireNewOriginals(IReadOnlyList<NewOriginal> originals)
    {
        ArgumentNullException.ThrowIfNull(originals);
        foreach (var original in originals)
        {
            RequireNewOriginal(original);
        }
    }

    /// <summary>The checks of <c>TryAttachAsync</c>, for each request of a batch; and a holder at most once.</summary>
    public static void RequireAttachments(IReadOnlyList<ImageDedup.Storage.DigestAttachment> requests)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var holders = new HashSet<string>(StringComparer.Ordinal);
        foreach (var request in requests)
        {
            ArgumentNullException.ThrowIfNull(request, nameof(requests));
            RequireDigest(request.Digest);
            RequireHolderOrNull(request.Holder, nameof(requests));
            RequireOnce(holders, request.Holder, nameof(requests));
        }
    }

    /// <summary>The checks of <c>PromoteAsync</c>, for each promotion of a batch; and an original and a holder at most once.</summary>
    public static void RequirePromotions(IReadOnlyList<ImageDedup.Storage.PendingPromotion> promotions)
    {
        ArgumentNullException.ThrowIfNull(promotions);
        var holders = new HashSet<string>(StringComparer.Ordinal);
        var ids = new HashSet<Guid>();
        foreach (var promotion in promotions)
        {
            ArgumentNullException.ThrowIfNull(promotion, nameof(promotions));
            RequireHolderOrNull(promotion.Holder, nameof(promotions));
            RequireOnce(holders, promotion.Holder, nameof(promotions));
            if (!ids.Add(promotion.PendingId))
            {
                throw new ArgumentException($"The original '{promotion.PendingId}' is named twice in one group.", nameof(promotions));
            }
        }
    }

    private static void RequireOnce(HashSet<string> seen, string? holder, string paramName)
    {
        if (holder is not null && !seen.Add(holder))
        {
            throw new ArgumentException($"The holder '{holder}' is named twice in one group; a group names each holder at most once.", paramName);
        }
    }

    private static void RequireWellFormed(string value, string what, string? paramName)
    {
        if (!Utf16Text.IsWellFormed(value))
        {
            throw new ArgumentException($"The {what} is not well-formed UTF-16: it has an unpaired surrogate.", paramName);
        }
    }
}
