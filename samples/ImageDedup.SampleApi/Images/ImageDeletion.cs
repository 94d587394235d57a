using ImageDedup.SampleApi.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace ImageDedup.SampleApi.Images;

/// <summary>
/// Deletes an image the seed's way — a soft delete, the row kept for billing — and releases its
/// holder in the same transaction. When that was the original's last holder, the original is
/// orphaned at commit and garbage collection deletes its row and object after
/// <c>OrphanGracePeriod</c>: inside a host transaction nothing is deleted before the commit, so a
/// rolled-back delete never loses bytes.
/// </summary>
internal sealed partial class ImageDeletion(AppDb db, IImageDedup dedup, ILogger<ImageDeletion> logger)
{
    /// <summary>The outcome, or null when there is no live image of that id.</summary>
    public async Task<DeleteImageResponse?> DeleteAsync(long imageId, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var image = (await db.Images
            .FromSql($"SELECT * FROM images WHERE id = {imageId} AND deleted_at IS NULL FOR UPDATE")
            .ToListAsync(cancellationToken)).SingleOrDefault();
        if (image is null)
        {
            return null;
        }

        image.DeletedAt = DateTimeOffset.UtcNow;
        await db.SaveChangesAsync(cancellationToken);

        ReleaseResult? release = null;
        if (image.OriginalId is { } originalId)
        {
            release = await dedup.DefaultScope.ReleaseAsync(Holders.Image(image.ProjectId, image.Id), transaction.GetDbTransaction(), cancellationToken);
            if (!release.Released)
            {
                // The seed's graceful degradation: the row goes, whatever happened to its original.
                LogOriginalAlreadyGone(logger, image.Id, originalId);
            }
        }

        await transaction.CommitAsync(cancellationToken);
        LogDeleted(logger, image.Id, image.ProjectId, release?.RemainingReferences);
        return new DeleteImageResponse(image.Id, release?.Released ?? false, release?.RemainingReferences, release?.OriginalOrphaned ?? false);
    }

    [LoggerMessage(1, LogLevel.Warning, "Image {ImageId}: no reference to release, its original {OriginalId} was already gone; the image is deleted all the same")]
    private static partial void LogOriginalAlreadyGone(ILogger logger, long imageId, Guid originalId);

    [LoggerMessage(2, LogLevel.Information, "Image {ImageId} of project {ProjectId} deleted; its original keeps {RemainingReferences} reference(s)")]
    private static partial void LogDeleted(ILogger logger, long imageId, long projectId, long? remainingReferences);
}

/// <summary>
/// What deleting an image did. <see cref="OriginalOrphaned"/>: that was the original's last
/// image, and garbage collection deletes it after the grace period.
/// </summary>
internal sealed record DeleteImageResponse(long Id, bool ReferenceReleased, long? RemainingReferences, bool OriginalOrphaned);
