using System.Runtime.InteropServices;

namespace ImageDedup.Cli.Walking;

/// <summary>
/// The absolute path of a file with every symlink and <c>.</c>/<c>..</c> resolved: realpath(3) on
/// Unix (the framework resolves only the last link of a path), the full path elsewhere.
/// </summary>
internal static partial class CanonicalPath
{
    /// <summary>Returns the canonical path, or null when the path or a link on it leads nowhere (missing, a loop).</summary>
    public static string? Resolve(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            var full = Path.GetFullPath(path);
            var target = new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true);
            var resolved = target?.FullName ?? full;
            return Path.Exists(resolved) ? resolved : null;
        }

        var result = RealPath(path, IntPtr.Zero);
        if (result == IntPtr.Zero)
        {
            return null;
        }

        try
        {
            return Marshal.PtrToStringUTF8(result);
        }
        finally
        {
            Free(result);
        }
    }

    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr RealPath(string path, IntPtr resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void Free(IntPtr pointer);
}
