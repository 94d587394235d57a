using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ImageDedup.Engine;

/// <summary>
/// Runs garbage collection on a jittered interval, reconcile less often, and the full audit only
/// when configured (<see cref="BackgroundCleanupOptions.AuditInterval"/>). Safe on many app
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
        var lastAudit = time.GetUtcNow();
        var auditCursor = new AuditCursor();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(NextWait(settings), time, stoppingToken).ConfigureAwait(false);
                var collected = await engine.CollectGarbageAsync(stoppingToken).ConfigureAwait(false);
                CollectedLog(_logger, collected.OriginalsDeleted);
                if (settings.ReconcileInterval > TimeSpan.Zero && time.GetUtcNow() - lastReconcile >= settings.ReconcileInterval)
                {
                    await engine.ReconcileAsync(new ReconcileOptions(), stoppingToken).ConfigureAwait(false);
                    lastReconcile = time.GetUtcNow();
                }

                if (settings.AuditInterval > TimeSpan.Zero && time.GetUtcNow() - lastAudit >= settings.AuditInterval)
                {
                    // One run per interval, at most one interval long; what it did not reach, the
                    // next one resumes from its cursor (also after a failure).
                    var audit = await engine.AuditAsync(
                        new AuditOptions
                        {
                            Cursor = auditCursor.Cursor,
                            MaxRequestsPerSecond = settings.AuditRequestsPerSecond,
                            MaxDuration = settings.AuditInterval,
                            Progress = auditCursor,
                        },
                        stoppingToken).ConfigureAwait(false);
                    auditCursor.Cursor = audit.NextCursor;
                    lastAudit = time.GetUtcNow();
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

    /// <summary>Keeps the last resumable point of the audit, synchronously (<see cref="Progress{T}"/> would post it later).</summary>
    private sealed class AuditCursor : IProgress<AuditProgress>
    {
        public string? Cursor { get; set; }

        public void Report(AuditProgress value) => Cursor = value.Cursor;
    }
}
