using ImageDedup;
using ImageDedup.DependencyInjection;
using ImageDedup.Engine;
using ImageDedup.Hashing;
using ImageDedup.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers ImageDedup in a service collection.</summary>
public static class ImageDedupServiceCollectionExtensions
{
    /// <summary>
    /// Adds the ImageDedup engine (<see cref="IImageDedup"/>) with the SHA-256 hasher. Choose the
    /// stores on the returned builder, for example <c>.UseSqlite(...).UseFileSystem(...)</c>.
    /// Calling it again adds only the further <paramref name="configure"/> delegate.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Adjusts the options; they are validated when the host starts.</param>
    /// <returns>A builder for choosing the stores.</returns>
    public static IImageDedupBuilder AddImageDedup(this IServiceCollection services, Action<ImageDedupOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        var options = services.AddOptions<ImageDedupOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        if (services.Any(d => d.ServiceType == typeof(ImageDedupMarker)))
        {
            return new ImageDedupBuilder(services);
        }

        services.AddSingleton(new ImageDedupMarker());
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ImageDedupOptions>, ImageDedupOptionsValidator>());
        services.TryAddSingleton<IContentHasher>(sp => new Sha256ContentHasher(sp.GetRequiredService<IOptions<ImageDedupOptions>>().Value.BufferSize));
        services.TryAddSingleton<ImageDedupTelemetry>();
        services.TryAddSingleton<IImageDedup, ImageDedupEngine>();
        return new ImageDedupBuilder(services);
    }
}
