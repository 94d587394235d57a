using ImageDedup;
using ImageDedup.Engine;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Opt-in start-up check for hosts built on Microsoft.Extensions.Hosting.</summary>
public static class StartupCheckExtensions
{
    /// <summary>
    /// Checks both stores when the host starts, and fails the start when either cannot be used: the
    /// database is unreachable or refuses the login, the schema is missing (with
    /// <c>AutoMigrate = false</c>), the bucket or directory cannot be used, or the blob store
    /// belongs to another catalogue (<see cref="BlobStoreOwnershipException"/>). The message names
    /// the store and the cause. Without it, the same problems surface at the first call that needs
    /// the store. Register it before hosted services that use ImageDedup, such as
    /// <c>AddBackgroundCleanup</c>: hosts start their services in registration order.
    /// </summary>
    public static IImageDedupBuilder ValidateOnStart(this IImageDedupBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddHostedService<StartupCheckService>();
        return builder;
    }
}
