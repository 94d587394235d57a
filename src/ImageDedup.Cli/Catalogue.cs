using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ImageDedup.Cli;

/// <summary>The engine on a data directory: <c>catalogue.db</c> (SQLite) beside <c>blobs/</c>.</summary>
internal sealed class Catalogue : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private Catalogue(ServiceProvider services, string dataDirectory)
    {
        _services = services;
        DataDirectory = dataDirectory;
        Engine = services.GetRequiredService<IImageDedup>();
    }

    public IImageDedup Engine { get; }

    public string DataDirectory { get; }

    public static Catalogue Open(string dataDirectory, bool verbose, Action<ImageDedupOptions>? configure = null)
    {
        var root = Path.GetFullPath(dataDirectory);
        Directory.CreateDirectory(root);
        var services = new ServiceCollection();
        services.AddLogging(logging => logging
            .AddSimpleConsole(o => o.SingleLine = true)
            .SetMinimumLevel(verbose ? LogLevel.Debug : LogLevel.Warning));
        services.AddImageDedup(o => configure?.Invoke(o))
            .UseSqlite($"Data Source={Path.Combine(root, "catalogue.db")}")
            .UseFileSystem(Path.Combine(root, "blobs"));
        return new Catalogue(services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true }), root);
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
