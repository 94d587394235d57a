using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ImageDedup.Engine;

/// <summary>
/// Runs garbage collection on a jittered interval and reconcile less often. Safe on many app
/// instances at once: collections claim in the database and reconcile only repeats idempotent steps.
/// A failed run is logged and the next one comes on schedule.
/// </summary>
internal sealed partial class BackgroundCleanupService(
    IImageDedup engine,
    IOptions<BackgroundCleanupOptions> options,
    TimeProvider time,
    ILoggerFactory? loggerFactory = null) : BackgroundService
{
    private readonly ILogger _logger = (ILogger?)loggerFactory?.CreateLogger<BackgroundCleanupService>() ?? NullLogger.Instance;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var lastReconcile = time.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(NextWait(settings), time, stoppingToken).ConfigureAwait(false);
                var collected = await engine.CollectGarbageAsync(stoppingToken).ConfigureAwait(false);
                CollectedLog(_logger, collected.OriginalsDeleted);
                if (settings.ReconcileInterval > TimeSpan.Zero && time.GetUtcNow() - lastReconcile >= settings.ReconcileInterval)
                {
                    await engine.ReconcileAsync(new ReconcileOptions { CheckMissingBlobs = settings.CheckMissingBlobs }, stoppingToken).ConfigureAwait(false);
                    lastReconcile = time.GetUtcNow();
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A background sweep must outlive one failed run.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                FailedLog(_logger, ex);
            }
        }
    }

    private static TimeSpan NextWait(BackgroundCleanupOptions settings)
    {
#pragma warning disable CA5394 // Jitter needs no cryptographic randomness.
        var factor = 1 + (settings.Jitter * ((Random.Shared.NextDouble() * 2) - 1));
#pragma warning restore CA5394
        return settings.Interval * factor;
    }

    [LoggerMessage(30, LogLevel.Debug, "Background clean-up collected {Count} orphans")]
    private static partial void CollectedLog(ILogger logger, long count);

    [LoggerMessage(31, LogLevel.Error, "Background clean-up failed; the next run comes on schedule")]
    private static partial void FailedLog(ILogger logger, Exception exception);
}
