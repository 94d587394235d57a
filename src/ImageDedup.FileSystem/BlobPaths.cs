using System.Buffers;

namespace ImageDedup.FileSystem;

/// <summary>
/// Maps blob keys to paths under the root and back, and refuses any key or path that could reach
/// outside it.
/// </summary>
/// <remarks>
/// A key is checked three ways: its characters and segments (no <c>.</c>, <c>..</c>, empty
/// segments, leading <c>/</c> or backslash can pass), the resolved full path (must lie under the
/// root), and the entries on the way (no symbolic link under the root is followed).
/// </remarks>
internal sealed class BlobPaths
{
    /// <summary>The top-level folder that holds temp files; no key may start with it.</summary>
    internal const string StagingFolderName = ".staging";

    /// <summary>Longer keys are refused before the operating system would refuse the path.</summary>
    internal const int MaxKeyLength = 1024;

    private static readonly SearchValues<char> KeyCharacters = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789/._-");

    public BlobPaths(string rootPath)
    {
        Root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(rootPath));
        RootWithSeparator = Root + Path.DirectorySeparatorChar;
        Staging = Path.Join(Root, StagingFolderName);
    }

    /// <summary>The absolute root directory, without a trailing separator.</summary>
    public string Root { get; }

    /// <summary>The folder for temp files, on the same file system as the blobs.</summary>
    public string Staging { get; }

    private string RootWithSeparator { get; }

    /// <summary>Whether <paramref name="key"/> is a well-formed key; see <see cref="Resolve"/>.</summary>
    public static bool IsValidKey(ReadOnlySpan<char> key) => Problem(key) is null;

    /// <summary>Validates a key and returns the full path of its blob.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="ArgumentException">The key is malformed or would resolve outside the root.</exception>
    /// <exception cref="IOException">A directory or file on the way is a symbolic link.</exception>
    public string Resolve(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (Problem(key) is { } problem)
        {
            throw new ArgumentException($"'{Shorten(key)}' is not a valid blob key: {problem}", nameof(key));
        }

        var relative = Path.DirectorySeparatorChar == '/' ? key : key.Replace('/', Path.DirectorySeparatorChar);
        var full = Path.GetFullPath(Path.Join(Root, relative));
        if (!full.StartsWith(RootWithSeparator, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The blob key '{Shorten(key)}' resolves outside the store's root.", nameof(key));
        }

        RefuseLinks(full);
        return full;
    }

    /// <summary>Turns the full path of a file under the root back into its key, or null when it is no blob.</summary>
    public string? KeyOf(string fullPath)
    {
        if (!fullPath.StartsWith(RootWithSeparator, StringComparison.Ordinal))
        {
            return null;
        }

        var key = fullPath[RootWithSeparator.Length..];
        if (Path.DirectorySeparatorChar != '/')
        {
            key = key.Replace(Path.DirectorySeparatorChar, '/');
        }

        return IsValidKey(key) ? key : null;
    }

    /// <summary>
    /// The deepest directory that holds every key starting with <paramref name="prefix"/>, or null
    /// when no valid key can start with it.
    /// </summary>
    public string? ListingStart(string? prefix)
    {
        if (string.IsNullOrEmpty(prefix))
        {
            return Root;
        }

        if (prefix.AsSpan().ContainsAnyExcept(KeyCharacters))
        {
            return null;
        }

        var lastSlash = prefix.LastIndexOf('/');
        if (lastSlash < 0)
        {
            return Root;
        }

        try
        {
            return Resolve(prefix[..lastSlash]);
        }
        catch (Exception ex) when (ex is ArgumentException or IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// Throws when any existing entry between the root and <paramref name="fullPath"/> (the path
    /// itself included) is a symbolic link or another reparse point: following one could leave the root.
    /// </summary>
    public void RefuseLinks(string fullPath)
    {
        var index = RootWithSeparator.Length;
        while (index <= fullPath.Length)
        {
            var next = fullPath.IndexOf(Path.DirectorySeparatorChar, index);
            var end = next < 0 ? fullPath.Length : next;
            var entry = fullPath[..end];
            var attributes = new FileInfo(entry).Attributes;
            if ((int)attributes == -1)
            {
                return; // It does not exist, so nothing below it does either.
            }

            if ((attributes & FileAttributes.ReparsePoint) != 0)
            {
                throw new IOException($"'{entry}' is a symbolic link; the blob store follows no links under its root.");
            }

            index = end + 1;
        }
    }

    private static string? Problem(ReadOnlySpan<char> key)
    {
        if (key.IsEmpty)
        {
            return "it is empty.";
        }

        if (key.Length > MaxKeyLength)
        {
            return $"it is longer than {MaxKeyLength} characters.";
        }

        if (key.ContainsAnyExcept(KeyCharacters))
        {
            return "only lowercase letters, digits and '/', '.', '_', '-' are allowed.";
        }

        var first = true;
        foreach (var range in key.Split('/'))
        {
            var segment = key[range];
            if (segment.IsEmpty)
            {
                return "it has an empty segment (a leading, trailing or doubled '/').";
            }

            if (segment is "." or "..")
            {
                return "'.' and '..' segments are not allowed.";
            }

            if (first && segment.SequenceEqual(StagingFolderName))
            {
                return $"'{StagingFolderName}' is reserved for temp files.";
            }

            if (first && segment.SequenceEqual(Shared.OwnershipMarker.FolderName))
            {
                return $"'{Shared.OwnershipMarker.FolderName}' is reserved for the ownership marker.";
            }

            first = false;
        }

        return null;
    }

    private static string Shorten(string key) => key.Length <= 120 ? key : string.Concat(key.AsSpan(0, 117), "...");
}
