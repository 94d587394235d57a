using System.Text;

namespace ImageDedup.Cli;

/// <summary>
/// Turns a file's absolute canonical path (symlinks resolved) into its holder key: the prefix, then
/// the path without its leading separator, with <c>/</c> between segments. Two different files
/// never share a canonical path, so two arguments can never make one holder, and the same file
/// always makes the same holder, whatever the working directory or the argument that reached it.
/// </summary>
/// <remarks>
/// Holder keys may not hold control characters, which file names may: those and <c>%</c> itself
/// are percent-encoded (UTF-8), which keeps the mapping one-to-one.
/// </remarks>
internal static class HolderKeys
{
    /// <summary>The engine's longest holder key.</summary>
    public const int MaxLength = 512;

    public static string For(string prefix, string canonicalPath)
    {
        var path = canonicalPath.Replace(Path.DirectorySeparatorChar, '/').TrimStart('/');
        var key = new StringBuilder(prefix.Length + path.Length).Append(prefix);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < path.Length; i++)
        {
            var c = path[i];
            if (c != '%' && !char.IsControl(c))
            {
                key.Append(c);
                continue;
            }

            var written = Encoding.UTF8.GetBytes([c], utf8);
            foreach (var b in utf8[..written])
            {
                key.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return key.ToString();
    }
}
