namespace ImageDedup.Cli.Walking;

/// <summary>
/// Lists the regular files under the paths given, following every symlink once: each directory
/// and each file is taken once however many links lead to it, which also ends symlink loops.
/// What cannot be listed is reported and the walk goes on.
/// </summary>
internal sealed class FileWalk
{
    private static readonly EnumerationOptions OneLevel = new()
    {
        RecurseSubdirectories = false,
        IgnoreInaccessible = false,
        AttributesToSkip = 0,
        ReturnSpecialDirectories = false,
    };

    private readonly HashSet<string> _directories = new(StringComparer.Ordinal);
    private readonly HashSet<string> _files = new(StringComparer.Ordinal);

    private FileWalk()
    {
    }

    /// <summary>The files found, in walk order (arguments in order, each directory's entries sorted ordinally).</summary>
    public List<WalkedFile> Files { get; } = [];

    /// <summary>Directories that could not be listed, broken links.</summary>
    public List<WalkProblem> Problems { get; } = [];

    /// <summary>Symlinks followed to a file or directory.</summary>
    public int LinksFollowed { get; private set; }

    /// <summary>Files and directories reached a second time (through a link, or a link loop) and not taken again.</summary>
    public int ReachedAgain { get; private set; }

    /// <summary>The sum of the files' lengths.</summary>
    public long TotalBytes { get; private set; }

    /// <summary>Checks that every argument exists before anything is read or written.</summary>
    /// <exception cref="CliException">One or more arguments name nothing.</exception>
    public static IReadOnlyList<string> Canonicalize(IReadOnlyList<string> arguments)
    {
        var canonical = new List<string>(arguments.Count);
        var missing = new List<string>();
        foreach (var argument in arguments)
        {
            if (CanonicalPath.Resolve(argument) is { } resolved && Path.Exists(resolved))
            {
                canonical.Add(resolved);
            }
            else
            {
                missing.Add(argument);
            }
        }

        return missing.Count == 0
            ? canonical
            : throw new CliException(ExitCodes.NotFound, "path-not-found", $"No such file or directory: {string.Join(", ", missing)}");
    }

    /// <summary>Walks the arguments (already checked by <see cref="Canonicalize"/>).</summary>
    public static FileWalk Run(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var walk = new FileWalk();
        var canonical = Canonicalize(arguments);
        for (var i = 0; i < arguments.Count; i++)
        {
            if (Directory.Exists(canonical[i]))
            {
                walk.WalkDirectory(arguments[i], canonical[i], cancellationToken);
            }
            else
            {
                walk.AddFile(arguments[i], canonical[i], new FileInfo(canonical[i]));
            }
        }

        return walk;
    }

    private void WalkDirectory(string path, string canonical, CancellationToken cancellationToken)
    {
        // An explicit stack: deep trees must not overflow the call stack.
        var pending = new Stack<(string Path, string Canonical)>();
        pending.Push((path, canonical));
        while (pending.TryPop(out var directory))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!_directories.Add(directory.Canonical))
            {
                ReachedAgain++;
                continue;
            }

            FileSystemInfo[] entries;
            try
            {
                entries = new DirectoryInfo(directory.Canonical).GetFileSystemInfos("*", OneLevel);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Problems.Add(new WalkProblem(directory.Path, $"cannot list the directory: {ex.Message}"));
                continue;
            }

            Array.Sort(entries, (a, b) => string.CompareOrdinal(a.Name, b.Name));
            var subdirectories = new List<(string Path, string Canonical)>();
            foreach (var entry in entries)
            {
                var entryPath = Path.Join(directory.Path, entry.Name);
                if (entry.LinkTarget is not null)
                {
                    if (CanonicalPath.Resolve(entry.FullName) is not { } target || !Path.Exists(target))
                    {
                        Problems.Add(new WalkProblem(entryPath, "broken symlink (its target is missing, or the links loop)"));
                        continue;
                    }

                    LinksFollowed++;
                    if (Directory.Exists(target))
                    {
                        subdirectories.Add((entryPath, target));
                    }
                    else
                    {
                        AddFile(entryPath, target, new FileInfo(target));
                    }
                }
                else if (entry is DirectoryInfo)
                {
                    subdirectories.Add((entryPath, entry.FullName));
                }
                else
                {
                    AddFile(entryPath, entry.FullName, (FileInfo)entry);
                }
            }

            // Pushed in reverse so that sub-directories are walked in name order.
            for (var i = subdirectories.Count - 1; i >= 0; i--)
            {
                pending.Push(subdirectories[i]);
            }
        }
    }

    private void AddFile(string path, string canonical, FileInfo info)
    {
        long length;
        try
        {
            length = info.Length;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Problems.Add(new WalkProblem(path, $"vanished while it was listed: {ex.Message}"));
            return;
        }

        if (!_files.Add(canonical))
        {
            ReachedAgain++;
            return;
        }

        Files.Add(new WalkedFile(path, canonical, length));
        TotalBytes += length;
    }
}
