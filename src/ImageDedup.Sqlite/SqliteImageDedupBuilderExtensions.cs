using ImageDedup;
using ImageDedup.Sqlite;
using ImageDedup.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the SQLite reference store on an <see cref="IImageDedupBuilder"/>.</summary>
public static class SqliteImageDedupBuilderExtensions
{
    /// <summary>
    /// Stores originals and references in the SQLite database of <paramref name="connectionString"/>.
    /// Replaces any reference store registered before.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddImageDedup()</c>.</param>
    /// <param name="connectionString">A Microsoft.Data.Sqlite connection string, for example <c>Data Source=dedup.db</c>.</param>
    /// <returns>The builder, for chaining.</returns>
    public static IImageDedupBuilder UseSqlite(this IImageDedupBuilder builder, string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return builder.UseSqlite(options => options.ConnectionString = connectionString);
    }

    /// <summary>
    /// Stores originals and references in SQLite, configured by <paramref name="configure"/>. Replaces
    /// any reference store registered before; the options are validated when the host starts.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddImageDedup()</c>.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builder, for chaining.</returns>
    public static IImageDedupBuilder UseSqlite(this IImageDedupBuilder builder, Action<SqliteReferenceStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);

        var services = builder.Services;
        services.AddOptions<SqliteReferenceStoreOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SqliteReferenceStoreOptions>, SqliteReferenceStoreOptionsValidator>());

        services.RemoveAll<IReferenceStore>();
        services.TryAddSingleton(provider => new SqliteReferenceStore(
            provider.GetRequiredService<IOptions<SqliteReferenceStoreOptions>>().Value,
            provider.GetService<ILogger<SqliteReferenceStore>>() ?? NullLogger<SqliteReferenceStore>.Instance));
        services.AddSingleton<IReferenceStore>(provider => provider.GetRequiredService<SqliteReferenceStore>());
        return builder;
    }
}
