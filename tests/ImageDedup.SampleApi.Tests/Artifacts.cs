namespace ImageDedup.SampleApi.Tests;

/// <summary>What these tests leave for a person to look at (the page's screenshot, the load figures), beside the test assembly.</summary>
public static class Artifacts
{
    public static string Directory
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "artifacts");
            System.IO.Directory.CreateDirectory(path);
            return path;
        }
    }

    public static string Write(string name, string text)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, text);
        return path;
    }
}
