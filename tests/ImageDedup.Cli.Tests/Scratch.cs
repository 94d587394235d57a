using ImageDedup.Testing.Content;

namespace ImageDedup.Cli.Tests;

/// <summary>A temporary folder for one test: the pictures it ingests, the store, the working directory.</summary>
internal sealed class Scratch : IDisposable
{
    private int _seed = Random.Shared.Next();

    public Scratch()
    {
        Root = Directory.CreateTempSubdirectory("imagededup-cli-").FullName;
        Store = Path.Combine(Root, "store");
    }

    public string Root { get; }

    /// <summary>A store path inside the scratch folder (not created).</summary>
    public string Store { get; }

    public string PathOf(string relative) => Path.Combine(Root, relative);

    /// <summary>Writes a new, unique PNG-signed file and returns its bytes.</summary>
    public byte[] Png(string relative, int length = 4096) => Write(relative, TestImages.Png(Interlocked.Increment(ref _seed), length));

    public byte[] Write(string relative, byte[] bytes)
    {
        var path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return bytes;
    }

    /// <summary>Runs the tool in the scratch folder against its store.</summary>
    public Task<ToolResult> RunAsync(params string[] arguments) => ToolRun.RunAsync(Root, [.. arguments, "--store", Store]);

    /// <summary>Runs the tool with --json and checks it succeeded.</summary>
    public async Task<System.Text.Json.JsonElement> JsonAsync(params string[] arguments)
    {
        var result = await RunAsync([.. arguments, "--json"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Json;
    }

    /// <summary>The holder key the tool gives a file: the prefix and its absolute path with links resolved.</summary>
    public static string HolderOf(string path) => "files/" + new FileInfo(path).FullName.TrimStart('/');

    public void Dispose()
    {
        // Undo permission tricks first, or the delete fails.
        foreach (var entry in Directory.EnumerateFileSystemEntries(Root, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 }))
        {
            TryRestore(entry);
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static void TryRestore(string path)
    {
        try
        {
            if (new FileInfo(path).LinkTarget is null)
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
