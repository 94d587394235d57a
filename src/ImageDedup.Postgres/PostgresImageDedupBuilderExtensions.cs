using ImageDedup;
using ImageDedup.Postgres;
using ImageDedup.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the PostgreSQL reference store and its health check on an <see cref="IImageDedupBuilder"/>.</summary>
public static class PostgresImageDedupBuilderExtensions
{
    /// <summary>
    /// Stores originals and references in the PostgreSQL database of <paramref name="connectionString"/>,
    /// in the schema <c>imagededup</c>. Replaces any reference store registered before.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddImageDedup()</c>.</param>
    /// <param name="connectionString">An Npgsql connection string, for example <c>Host=db;Database=app;Username=app;Password=…</c>.</param>
    /// <returns>The builder, for chaining.</returns>
    public static IImageDedupBuilder UsePostgres(this IImageDedupBuilder builder, string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return builder.UsePostgres(options =>
        {
            options.ConnectionString = connectionString;
            options.UseRegisteredDataSource = false;
        });
    }

    /// <summary>
    /// Stores originals and references in PostgreSQL through the <see cref="NpgsqlDataSource"/> already
    /// registered in the service collection (for example by <c>AddNpgsqlDataSource</c>), sharing its
    /// pool; the store never disposes it. Replaces any reference store registered before.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddImageDedup()</c>.</param>
    /// <returns>The builder, for chaining.</returns>
    public static IImageDedupBuilder UsePostgres(this IImageDedupBuilder builder)
        => builder.UsePostgres(options =>
        {
            options.ConnectionString = null;
            options.UseRegisteredDataSource = true;
        });

    /// <summary>
    /// Stores originals and references in PostgreSQL, configured by <paramref name="configure"/>. Replaces
    /// any reference store registered before; the options are validated when the host starts.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddImageDedup()</c>.</param>
    /// <param name="configure">Sets the connection string (or <see cref="PostgresReferenceStoreOptions.UseRegisteredDataSource"/>), schema and migration options.</param>
    /// <returns>The builder, for chaining.</returns>
    public static IImageDedupBuilder UsePostgres(this IImageDedupBuilder builder, Action<PostgresReferenceStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);

        var services = builder.Services;
        services.AddOptions<PostgresReferenceStoreOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgresReferenceStoreOptions>, PostgresReferenceStoreOptionsValidator>());

        services.RemoveAll<IReferenceStore>();
        services.TryAddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<PostgresReferenceStoreOptions>>().Value;
            return new PostgresReferenceStore(
                options,
                options.UseRegisteredDataSource ? provider.GetRequiredService<NpgsqlDataSource>() : null,
                provider.GetService<ILoggerFactory>()?.CreateLogger<PostgresReferenceStore>() ?? NullLogger<PostgresReferenceStore>.Instance);
        });
        services.AddSingleton<IReferenceStore>(provider => provider.GetRequiredService<PostgresReferenceStore>());
        return builder;
    }

    /// <summary>
    /// Adds a health check that runs one cheap query (<c>SELECT 1</c>) on the PostgreSQL reference store's
    /// connection pool. Call it after <c>UsePostgres</c>; it is opt-in and adds <c>AddHealthChecks()</c>.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddImageDedup()</c>.</param>
    /// <param name="name">The name the check reports under.</param>
    /// <param name="failureStatus">The status reported when the server does not answer; <see cref="HealthStatus.Unhealthy"/> when null.</param>
    /// <param name="tags">Tags to filter checks by, for example <c>ready</c>.</param>
    /// <param name="timeout">How long one check may run before it is cut off and reported as failed; null for no limit beyond the client's own timeouts.</param>
    /// <returns>The builder, for chaining.</returns>
    public static IImageDedupBuilder AddPostgresHealthCheck(this IImageDedupBuilder builder, string name = "imagededup-postgres", HealthStatus? failureStatus = null, IEnumerable<string>? tags = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            name,
            provider => new PostgresHealthCheck(provider.GetRequiredService<PostgresReferenceStore>()),
            failureStatus,
            tags,
            timeout));
        return builder;
    }
}
