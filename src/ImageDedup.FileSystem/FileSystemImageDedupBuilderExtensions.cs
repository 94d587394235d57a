using ImageDedup;
using ImageDedup.FileSystem;
using ImageDedup.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the file-system blob store on an <see cref="IImageDedupBuilder"/>.</summary>
public static class FileSystemImageDedupBuilderExtensions
{
    /// <summary>
    /// Stores blobs under <paramref name="rootPath"/> on the local file system, replacing any blob
    /// store registered before.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddImageDedup()</c>.</param>
    /// <param name="rootPath">The directory that holds the blobs; resolved to an absolute path at start.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static IImageDedupBuilder UseFileSystem(this IImageDedupBuilder builder, string rootPath)
    {
        ArgumentNullException.ThrowIfNull(rootPath);
        return builder.UseFileSystem(options => options.RootPath = rootPath);
    }

    /// <summary>
    /// Stores blobs on the local file system, replacing any blob store registered before. The
    /// options are validated when the host starts.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddImageDedup()</c>.</param>
    /// <param name="configure">Sets <see cref="FileSystemBlobStoreOptions.RootPath"/> and the other options.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static IImageDedupBuilder UseFileSystem(this IImageDedupBuilder builder, Action<FileSystemBlobStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);

        var services = builder.Services;
        services.AddOptions<FileSystemBlobStoreOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FileSystemBlobStoreOptions>, FileSystemBlobStoreOptionsValidator>());

        services.RemoveAll<IBlobStore>();
        services.AddSingleton<IBlobStore>(provider => new FileSystemBlobStore(
            provider.GetRequiredService<IOptions<FileSystemBlobStoreOptions>>().Value,
            provider.GetService<ILoggerFactory>()?.CreateLogger<FileSystemBlobStore>() ?? NullLogger<FileSystemBlobStore>.Instance,
            provider.GetService<TimeProvider>()));
        return builder;
    }
}
