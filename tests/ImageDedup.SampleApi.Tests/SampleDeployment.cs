using ImageDedup.Testing.Servers;
using Xunit;

namespace ImageDedup.SampleApi.Tests;

/// <summary>A class's own deployment of the sample: a fresh database, its own key prefix, the app running on it.</summary>
public sealed class SampleDeployment : IAsyncLifetime
{
    private readonly PostgresDatabase _database = new();

    public SampleSite Site { get; private set; } = null!;

    public SampleApp App { get; private set; } = null!;

    public HttpClient Http => App.Http;

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        Site = await SampleSite.CreateAsync(_database);
        App = await Site.StartAppAsync();
    }

    public async Task DisposeAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync();
        }

        await _database.DisposeAsync();
    }
}
