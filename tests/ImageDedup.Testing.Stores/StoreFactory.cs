using ImageDedup.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace ImageDedup.Testing.Stores;

/// <summary>
/// Builds each store the way hosts do, through <c>AddImageDedup().Use…()</c>, and keeps the service
/// providers so disposing the factory disposes the stores (their pools and clients).
/// </summary>
public abstract class StoreFactory<TStore> : IAsyncDisposable
    where TStore : class
{
    private readonly List<ServiceProvider> _providers = [];

    /// <inheritdoc cref="IStoreFactory{TStore}.CreateAsync"/>
    public abstract Task<TStore> CreateAsync();

    /// <summary>Disposes every store made so far, then what <see cref="DeleteAsync"/> deletes.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }

        await DeleteAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>The store <paramref name="use"/> registers, in a service provider of its own.</summary>
    protected TStore Build(Action<IImageDedupBuilder> use, Action<IServiceCollection>? register = null)
    {
        var services = new ServiceCollection();
        register?.Invoke(services);
        use(services.AddImageDedup());
        var provider = services.BuildServiceProvider();
        _providers.Add(provider);
        return provider.GetRequiredService<TStore>();
    }

    /// <summary>A migrated reference store, for factories of reference stores.</summary>
    protected static async Task<IReferenceStore> MigratedAsync(IReferenceStore store)
    {
        await store.MigrateAsync();
        return store;
    }

    /// <summary>Deletes what the stores left on this machine (files, directories); the stores are disposed by then.</summary>
    protected virtual ValueTask DeleteAsync() => ValueTask.CompletedTask;
}
