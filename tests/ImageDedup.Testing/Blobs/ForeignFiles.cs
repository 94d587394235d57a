namespace ImageDedup.Testing.Blobs;

/// <summary>A host's own files under a file-system blob store's root, written around the store.</summary>
public static class ForeignFiles
{
    /// <summary>Writes <paramref name="name"/> (relative, '/'-separated) under <paramref name="root"/>, last written two days ago.</summary>
    public static async Task WriteAsync(string root, string name, byte[] content)
    {
        var path = Path.Join(root, name.Replace('/', Path.DirectorySeparatorChar));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, content);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddDays(-2));
    }

    /// <summary>Whether <paramref name="name"/> still exists under <paramref name="root"/>.</summary>
    public static bool Exists(string root, string name) => File.Exists(Path.Join(root, name.Replace('/', Path.DirectorySeparatorChar)));
}
