namespace ImageDedup.Cli.Walking;

/// <summary>A regular file the walk found.</summary>
/// <param name="Path">The path as the walk reached it (through the argument and any links).</param>
/// <param name="CanonicalPath">The absolute path with every link resolved: the file's identity.</param>
/// <param name="Length">Its size when it was listed.</param>
internal sealed record WalkedFile(string Path, string CanonicalPath, long Length);

/// <summary>Something the walk could not use, and why.</summary>
internal sealed record WalkProblem(string Path, string Reason);
