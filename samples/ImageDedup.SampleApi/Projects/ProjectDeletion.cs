using ImageDedup.SampleApi.Data;
using ImageDedup.SampleApi.Images;
using Microsoft.EntityFrameworkCore;

namespace ImageDedup.SampleApi.Projects;

/// <summary>
/// Deletes a project: the project and its live images are soft-deleted in one transaction, then
/// every holder under <c>projects/{id}</c> is released at once (a prefix release, in bounded
/// batches; an original no other project holds is deleted now). The release runs after the commit
/// because a prefix release cannot join a transaction; <see cref="Project.ReleasedAt"/> records it
/// done, and <see cref="ProjectReleaseSweeper"/> finishes one a crash or an outage interrupted.
/// </summary>
internal sealed partial class ProjectDeletion(AppDb db, IImageDedup dedup, ILogger<ProjectDeletion> logger)
{
    /// <summary>The outcome, or null when there is no such project.</summary>
    public async Task<DeleteProjectResponse?> DeleteAsync(long projectId, CancellationToken cancellationToken)
    {
        int imagesDeleted;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            var now = DateTimeOffset.UtcNow;
            // Waits for uploads into the project that hold it (FOR SHARE) and sees their rows.
            var marked = await db.Projects
                .Where(p => p.Id == projectId && p.DeletedAt == null)
                .ExecuteUpdateAsync(p => p.SetProperty(x => x.DeletedAt, now), cancellationToken);
            if (marked == 0)
            {
                var unreleased = await db.Projects.AnyAsync(p => p.Id == projectId && p.DeletedAt != null && p.ReleasedAt == null, cancellationToken);
                if (!unreleased)
                {
                    return null;
                }
            }

            imagesDeleted = await db.Images
                .Where(i => i.ProjectId == projectId && i.DeletedAt == null)
                .ExecuteUpdateAsync(i => i.SetProperty(x => x.DeletedAt, now), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        var released = await ReleaseAsync(projectId, cancellationToken);
        return new DeleteProjectResponse(projectId, imagesDeleted, released.ReferencesReleased, released.OriginalsDeleted, released.OriginalsOrphaned);
    }

    /// <summary>Releases every holder of a deleted project and records it. Idempotent.</summary>
    public async Task<PrefixReleaseResult> ReleaseAsync(long projectId, CancellationToken cancellationToken)
    {
        var released = await dedup.DefaultScope.ReleasePrefixAsync(Holders.Project(projectId), cancellationToken);
        await db.Projects
            .Where(p => p.Id == projectId)
            .ExecuteUpdateAsync(p => p.SetProperty(x => x.ReleasedAt, DateTimeOffset.UtcNow), cancellationToken);
        LogReleased(logger, projectId, released.ReferencesReleased, released.OriginalsDeleted);
        return released;
    }

    [LoggerMessage(1, LogLevel.Information, "Project {ProjectId} released: {References} reference(s), {OriginalsDeleted} original(s) deleted")]
    private static partial void LogReleased(ILogger logger, long projectId, long references, long originalsDeleted);
}

/// <summary>What deleting a project did.</summary>
internal sealed record DeleteProjectResponse(long Id, int ImagesDeleted, long ReferencesReleased, long OriginalsDeleted, long OriginalsOrphaned);
