namespace ImageDedup.Testing;

/// <summary>Finds the repository (worktree) root by walking up to <c>ImageDedup.sln</c>.</summary>
public static class RepositoryRoot
{
    /// <summary>The directory holding ImageDedup.sln, above the running test assembly.</summary>
    public static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ImageDedup.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No ImageDedup.sln above {AppContext.BaseDirectory}.");
    }
}
