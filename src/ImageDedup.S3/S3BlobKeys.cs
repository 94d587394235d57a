namespace ImageDedup.S3;

/// <summary>
/// Maps blob keys to object keys under the configured prefix, and refuses keys outside the blob
/// store contract: lowercase letters, digits and <c>/ . _ -</c>, in non-empty segments that do not
/// start with <c>.</c>, at most 1,024 characters with the prefix.
/// </summary>
internal sealed class S3BlobKeys(string prefix)
{
    private const int MaximumObjectKeyLength = 1024;

    /// <summary>The normalized prefix: empty or ending with <c>/</c>.</summary>
    public string Prefix { get; } = S3KeyPrefix.Normalize(prefix);

    /// <summary>The object key of <paramref name="key"/>.</summary>
    /// <exception cref="ArgumentException">The key is malformed.</exception>
    public string ObjectKey(string key)
    {
        Validate(key);
        var objectKey = Prefix + key;
        if (objectKey.Length > MaximumObjectKeyLength)
        {
            throw new ArgumentException($"The key with its prefix is longer than {MaximumObjectKeyLength} characters.", nameof(key));
        }

        return objectKey;
    }

    /// <summary>The object-key prefix to list for a blob-key prefix (any text is allowed there).</summary>
    public string ListingPrefix(string? keyPrefix) => Prefix + (keyPrefix ?? string.Empty);

    /// <summary>The blob key of an object key under the prefix, or null for an object outside it.</summary>
    public string? BlobKey(string objectKey)
        => objectKey.Length > Prefix.Length && objectKey.StartsWith(Prefix, StringComparison.Ordinal)
            ? objectKey[Prefix.Length..]
            : null;

    /// <summary>Whether <paramref name="key"/> is a well-formed blob key (the object key's length aside).</summary>
    public static bool IsValid(string key) => Problem(key) is null;

    private static void Validate(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (Problem(key) is { } problem)
        {
            throw new ArgumentException(problem, nameof(key));
        }
    }

    private static string? Problem(string key)
    {
        if (key.Length == 0)
        {
            return "A blob key must not be empty.";
        }

        foreach (var c in key)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '/' or '.' or '_' or '-'))
            {
                return $"The blob key '{key}' contains '{c}'; only lowercase letters, digits and / . _ - are allowed.";
            }
        }

        foreach (var segment in key.Split('/'))
        {
            if (segment.Length == 0 || segment[0] == '.')
            {
                return $"The blob key '{key}' has an empty segment or one starting with '.'.";
            }
        }

        return null;
    }
}
