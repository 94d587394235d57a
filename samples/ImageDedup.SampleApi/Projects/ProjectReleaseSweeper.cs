using ImageDedup.SampleApi.Data;
using Microsoft.EntityFrameworkCore;

namespace ImageDedup.SampleApi.Projects;

/// <summary>
/// Finishes project deletions whose prefix release did not run to its end (the app stopped, or
/// PostgreSQL went away, between the soft delete's commit and the release): at start, then on
/// every clean-up interval. Releasing again is harmless, so many instances may run it.
/// </summary>
internal sealed partial class ProjectReleaseSweeper(IServiceScopeFactory scopes, SweeperSchedule schedule, ILogger<ProjectReleaseSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A failed sweep is logged and the next one comes on schedule.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogSweepFailed(logger, ex);
            }

            try
            {
                await Task.Delay(schedule.Interval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task SweepAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDb>();
        var unreleased = await db.Projects
            .Where(p => p.DeletedAt != null && p.ReleasedAt == null)
            .OrderBy(p => p.Id)
            .Select(p => p.Id)
            .Take(100)
            .ToListAsync(cancellationToken);
        var deletion = scope.ServiceProvider.GetRequiredService<ProjectDeletion>();
        foreach (var projectId in unreleased)
        {
            LogFinishing(logger, projectId);
            await deletion.ReleaseAsync(projectId, cancellationToken);
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Finishing the release of deleted project {ProjectId}")]
    private static partial void LogFinishing(ILogger logger, long projectId);

    [LoggerMessage(2, LogLevel.Error, "Finishing deleted projects failed; the next sweep retries")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}

/// <summary>How often <see cref="ProjectReleaseSweeper"/> runs: the clean-up interval.</summary>
internal sealed record SweeperSchedule(TimeSpan Interval);
