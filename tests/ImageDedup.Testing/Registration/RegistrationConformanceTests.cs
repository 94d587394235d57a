using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Xunit;

namespace ImageDedup.Testing.Registration;

/// <summary>
/// How every provider's <c>UseX()</c> behaves, specified once: one singleton store of the provider's
/// contract, the last registration wins, and options that cannot work stop the host at start —
/// not at the first upload. A provider's test project derives a concrete class.
/// </summary>
public abstract class RegistrationConformanceTests
{
    /// <summary>The contract the provider registers: <c>IReferenceStore</c> or <c>IBlobStore</c>.</summary>
    protected abstract Type StoreContract { get; }

    /// <summary>Registers the provider with options that pass validation (no server need be reached).</summary>
    protected abstract void Use(IImageDedupBuilder builder);

    /// <summary>Registers the provider with options that fail validation.</summary>
    protected abstract void UseInvalid(IImageDedupBuilder builder);

    /// <summary>A word the validation message must contain, naming what is wrong.</summary>
    protected abstract string InvalidOptionName { get; }

    [Fact]
    public async Task Use_registers_one_singleton_store()
    {
        var services = new ServiceCollection();
        Use(services.AddImageDedup());
        await using var provider = services.BuildServiceProvider();

        var store = provider.GetRequiredService(StoreContract);

        Assert.Same(store, provider.GetRequiredService(StoreContract));
        Assert.Single(services, d => d.ServiceType == StoreContract);
        Assert.Equal(StoreContract.Assembly.GetName().Name, "ImageDedup.Abstractions");
        Assert.NotEqual(StoreContract.Assembly, store.GetType().Assembly);
    }

    [Fact]
    public async Task The_last_registration_wins()
    {
        var services = new ServiceCollection();
        var builder = services.AddImageDedup();
        services.AddSingleton(StoreContract, _ => throw new InvalidOperationException("an earlier store must have been replaced"));
        Use(builder);
        Use(builder);
        await using var provider = services.BuildServiceProvider();

        Assert.Single(services, d => d.ServiceType == StoreContract);
        Assert.NotNull(provider.GetRequiredService(StoreContract));
    }

    [Fact]
    public async Task Invalid_options_stop_the_host_at_start()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var dedup = builder.Services.AddImageDedup();
        UseInvalid(dedup);
        CompleteWithOtherStore(dedup);
        using var host = builder.Build();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());

        var failures = error is AggregateException many ? many.InnerExceptions : [error];
        var validation = Assert.Single(failures.OfType<OptionsValidationException>());
        Assert.Contains(InvalidOptionName, validation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Valid_options_let_the_host_start()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var dedup = builder.Services.AddImageDedup();
        Use(dedup);
        CompleteWithOtherStore(dedup);
        using var host = builder.Build();

        await host.StartAsync();
        await host.StopAsync();
    }

    /// <summary>Registers a store of the other contract, so the engine's own start-up check (both stores chosen) passes.</summary>
    protected abstract void CompleteWithOtherStore(IImageDedupBuilder builder);
}
