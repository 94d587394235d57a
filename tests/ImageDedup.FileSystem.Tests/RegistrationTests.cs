using ImageDedup.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ImageDedup.FileSystem.Tests;

/// <summary>UseFileSystem registers one singleton store, replaces earlier stores and validates its options at start.</summary>
public sealed class RegistrationTests : IDisposable
{
    private readonly TempRoot _temp = new();

    [Fact]
    public void UseFileSystem_registers_a_singleton_store_over_the_absolute_root()
    {
        using var provider = Build(b => b.UseFileSystem(_temp.Path));

        provider.GetRequiredService<IStartupValidator>().Validate();
        var store = Assert.IsType<FileSystemBlobStore>(provider.GetRequiredService<IBlobStore>());
        Assert.Same(store, provider.GetRequiredService<IBlobStore>());
        Assert.Equal(_temp.Path, store.RootPath);
    }

    [Fact]
    public void UseFileSystem_with_a_delegate_applies_every_option()
    {
        using var provider = Build(b => b.UseFileSystem(o =>
        {
            o.RootPath = _temp.Path;
            o.FlushToDisk = false;
        }));

        var options = provider.GetRequiredService<IOptions<FileSystemBlobStoreOptions>>().Value;
        Assert.Equal(_temp.Path, options.RootPath);
        Assert.False(options.FlushToDisk);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("bad\0root")]
    public void An_unusable_root_fails_at_start(string root)
    {
        using var provider = Build(b => b.UseFileSystem(root));

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("RootPath", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_root_fails_at_start()
    {
        using var provider = Build(b => b.UseFileSystem(_ => { }));

        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
    }

    [Fact]
    public void The_last_Use_wins()
    {
        var second = _temp.Combine("second");
        var services = new ServiceCollection();
        services.AddSingleton<IBlobStore, OtherStore>();
        var builder = new Builder(services);

        builder.UseFileSystem(_temp.Combine("first")).UseFileSystem(second);

        Assert.Single(services, d => d.ServiceType == typeof(IBlobStore));
        using var provider = services.BuildServiceProvider();
        Assert.Equal(second, Assert.IsType<FileSystemBlobStore>(provider.GetRequiredService<IBlobStore>()).RootPath);
    }

    [Fact]
    public void The_validator_is_registered_once_however_often_UseFileSystem_is_called()
    {
        var services = new ServiceCollection();
        new Builder(services).UseFileSystem(_temp.Path).UseFileSystem(_temp.Path);

        Assert.Single(services, d => d.ServiceType == typeof(IValidateOptions<FileSystemBlobStoreOptions>));
    }

    public void Dispose() => _temp.Dispose();

    private static ServiceProvider Build(Action<IImageDedupBuilder> use)
    {
        var services = new ServiceCollection();
        use(new Builder(services));
        return services.BuildServiceProvider();
    }

    private sealed class Builder(IServiceCollection services) : IImageDedupBuilder
    {
        public IServiceCollection Services { get; } = services;
    }

    private sealed class OtherStore : IBlobStore
    {
        public Task WriteAsync(string key, Stream content, BlobMetadata metadata, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<Stream> OpenReadAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<BlobProperties?> GetPropertiesAsync(string key, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public IAsyncEnumerable<BlobProperties> ListAsync(string? prefix = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task ClaimOwnershipAsync(Guid catalogueId, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
