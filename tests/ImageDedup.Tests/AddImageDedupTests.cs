using ImageDedup.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ImageDedup.Tests;

public class AddImageDedupTests
{
    [Fact]
    public void Without_stores_start_up_validation_names_what_is_missing()
    {
        var services = new ServiceCollection();
        services.AddImageDedup();
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ImageDedupOptions>>().Value);

        Assert.Contains(ex.Failures, f => f.Contains("reference store", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.Contains("blob store", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(nameof(ImageDedupOptions.MaxImageBytes))]
    [InlineData(nameof(ImageDedupOptions.BufferSize))]
    [InlineData(nameof(ImageDedupOptions.DeletionGracePeriod))]
    [InlineData(nameof(ImageDedupOptions.GarbageCollectionBatchSize))]
    [InlineData(nameof(ImageDedupOptions.SpoolDirectory))]
    [InlineData(nameof(ImageDedupOptions.IngestWriteTimeout))]
    public void Invalid_options_fail_validation_naming_the_option(string option)
    {
        var services = new ServiceCollection();
        services.AddImageDedup(o =>
        {
            switch (option)
            {
                case nameof(o.MaxImageBytes): o.MaxImageBytes = 0; break;
                case nameof(o.BufferSize): o.BufferSize = 1024; break;
                case nameof(o.DeletionGracePeriod): o.DeletionGracePeriod = TimeSpan.FromSeconds(-1); break;
                case nameof(o.GarbageCollectionBatchSize): o.GarbageCollectionBatchSize = 0; break;
                case nameof(o.SpoolDirectory): o.SpoolDirectory = "/does/not/exist"; break;
                case nameof(o.IngestWriteTimeout): o.IngestWriteTimeout = TimeSpan.Zero; break;
            }
        });
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ImageDedupOptions>>().Value);

        Assert.Contains(ex.Failures, f => f.Contains(option, StringComparison.Ordinal));
    }

    [Fact]
    public void Calling_it_twice_registers_one_engine_and_applies_both_configurations()
    {
        var services = new ServiceCollection();
        var first = services.AddImageDedup(o => o.MaxImageBytes = 123);
        var countAfterFirst = services.Count;
        services.AddImageDedup(o => o.AllowAnyContent = true);

        Assert.Same(services, first.Services);
        Assert.Single(services, d => d.ServiceType == typeof(IImageDedup));
        Assert.Single(services, d => d.ServiceType == typeof(IContentHasher));
        Assert.Single(services, d => d.ServiceType == typeof(IValidateOptions<ImageDedupOptions>));
        Assert.True(services.Count <= countAfterFirst + 1, "the second call added: " + string.Join(", ", services.Skip(countAfterFirst).Select(d => d.ServiceType.Name)));

        // Validation only asks whether stores are registered; these are never resolved.
        services.AddSingleton<IReferenceStore>(_ => throw new InvalidOperationException());
        services.AddSingleton<IBlobStore>(_ => throw new InvalidOperationException());
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptionsMonitor<ImageDedupOptions>>().Get(Options.DefaultName);
        Assert.Equal(123, options.MaxImageBytes);
        Assert.True(options.AllowAnyContent);
    }

    [Fact]
    public void A_host_registered_hasher_is_kept()
    {
        var services = new ServiceCollection();
        var hasher = new Hashing.Sha256ContentHasher();
        services.AddSingleton<IContentHasher>(hasher);
        services.AddImageDedup();

        using var provider = services.BuildServiceProvider();
        Assert.Same(hasher, provider.GetRequiredService<IContentHasher>());
    }
}
