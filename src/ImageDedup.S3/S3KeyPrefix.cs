namespace ImageDedup.S3;

/// <summary>The folder-like prefix of <see cref="S3BlobStoreOptions.KeyPrefix"/>.</summary>
internal static class S3KeyPrefix
{
    private const int MaximumLength = 512;

    /// <summary>The prefix as used in object keys: empty, or ending with exactly one <c>/</c>.</summary>
    public static string Normalize(string? prefix)
        => string.IsNullOrEmpty(prefix) ? string.Empty : prefix.EndsWith('/') ? prefix : prefix + "/";

    /// <summary>Why the prefix is unusable, or null when it is fine.</summary>
    public static string? Check(string? prefix)
    {
        if (string.IsNullOrEmpty(prefix))
        {
            return null;
        }

        if (prefix.Length > MaximumLength)
        {
            return $"S3BlobStoreOptions.KeyPrefix is longer than {MaximumLength} characters.";
        }

        if (prefix.StartsWith('/') || prefix.Contains("//", StringComparison.Ordinal))
        {
            return $"S3BlobStoreOptions.KeyPrefix '{prefix}' must not start with '/' nor contain an empty segment.";
        }

        return prefix.Any(c => char.IsControl(c) || char.IsWhiteSpace(c) || c == '\\')
            ? $"S3BlobStoreOptions.KeyPrefix '{prefix}' must not contain spaces, control characters or '\\'."
            : null;
    }
}
