namespace ImageDedup.FileSystem;

/// <summary>
/// The <c>.staging</c> folder under the root: where writes land before their atomic rename, and
/// where a crash can leave temp files for reconcile to remove.
/// </summary>
internal sealed class StagingArea(string path)
{
    private const string TempExtension = ".tmp";

    /// <summary>The full path of the staging folder.</summary>
    public string Path { get; } = path;

    /// <summary>A fresh, unused temp file path in the staging folder.</summary>
    public string NewTempPath() => System.IO.Path.Join(Path, Guid.NewGuid().ToString("N") + TempExtension);

    /// <summary>Temp files last written before <paramref name="cutoff"/>.</summary>
    public IReadOnlyList<StagingFile> ListOlderThan(DateTimeOffset cutoff)
    {
        var directory = new DirectoryInfo(Path);
        if (!directory.Exists)
        {
            return [];
        }

        var options = new EnumerationOptions { RecurseSubdirectories = false, AttributesToSkip = FileAttributes.ReparsePoint | FileAttributes.Directory };
        var found = new List<StagingFile>();
        foreach (var file in directory.EnumerateFiles("*" + TempExtension, options))
        {
            var modified = new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero);
            if (modified < cutoff)
            {
                found.Add(new StagingFile(file.FullName, file.Length, modified));
            }
        }

        return found;
    }
}
