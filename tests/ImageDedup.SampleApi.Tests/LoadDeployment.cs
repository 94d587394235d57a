namespace ImageDedup.SampleApi.Tests;

/// <summary>The sample on a PostgreSQL server of its own, which the load tests may restart.</summary>
public sealed class LoadDeployment : IAsyncLifetime
{
    public DedicatedPostgres Postgres { get; private set; } = null!;

    public SampleSite Site { get; private set; } = null!;

    public SampleApp App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Postgres = await DedicatedPostgres.StartAsync();
        Site = await SampleSite.CreateAsync(Postgres.ConnectionString);
        App = await Site.StartAppAsync();
    }

    public async Task DisposeAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync();
        }

        if (Postgres is not null)
        {
            await Postgres.DisposeAsync();
        }
    }
}
