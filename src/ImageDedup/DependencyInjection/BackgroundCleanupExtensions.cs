using ImageDedup;
using ImageDedup.Engine;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Opt-in background clean-up for hosts built on Microsoft.Extensions.Hosting.</summary>
public static class BackgroundCleanupExtensions
{
    /// <summary>
    /// Runs garbage collection on a jittered interval and reconcile less often, as a hosted
    /// service. Many app instances may run it against one database and blob store at once.
    /// </summary>
    public static IImageDedupBuilder AddBackgroundCleanup(this IImageDedupBuilder builder, Action<BackgroundCleanupOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<BackgroundCleanupOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(o => o.Interval > TimeSpan.Zero, $"{nameof(BackgroundCleanupOptions.Interval)} must be positive.")
            .Validate(o => o.Jitter is >= 0 and <= 1, $"{nameof(BackgroundCleanupOptions.Jitter)} must be between 0 and 1.")
            .Validate(o => o.ReconcileInterval >= TimeSpan.Zero, $"{nameof(BackgroundCleanupOptions.ReconcileInterval)} must not be negative.")
            .Validate(o => o.AuditInterval >= TimeSpan.Zero, $"{nameof(BackgroundCleanupOptions.AuditInterval)} must not be negative.")
            .Validate(o => o.AuditRequestsPerSecond > 0, $"{nameof(BackgroundCleanupOptions.AuditRequestsPerSecond)} must be positive.")
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, BackgroundCleanupService>());
        return builder;
    }
}
