using Microsoft.Extensions.Logging;

namespace ImageDedup.FileSystem;

/// <summary>Creates directories so that they survive a power loss: each new one is recorded in its flushed parent.</summary>
internal static class DurableDirectory
{
    /// <summary>
    /// Creates <paramref name="directory"/> and any missing ancestors, flushing the parent of each
    /// one created when <paramref name="flushToDisk"/> is set. Safe to race with itself.
    /// </summary>
    public static void Create(string directory, bool flushToDisk, ILogger logger)
    {
        if (Directory.Exists(directory))
        {
            return;
        }

        var missing = new Stack<string>();
        for (var current = directory; current is not null && !Directory.Exists(current); current = Path.GetDirectoryName(current))
        {
            missing.Push(current);
        }

        while (missing.TryPop(out var next))
        {
            Directory.CreateDirectory(next);
            Log.DirectoryCreated(logger, next);
            if (flushToDisk && Path.GetDirectoryName(next) is { } parent)
            {
                DirectoryFlush.Flush(parent);
            }
        }
    }
}
