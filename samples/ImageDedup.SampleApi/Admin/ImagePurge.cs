using ImageDedup.SampleApi.Data;
using ImageDedup.SampleApi.Images;
using Microsoft.EntityFrameworkCore;

namespace ImageDedup.SampleApi.Admin;

/// <summary>
/// A takedown through the library: <c>PurgeAsync</c> claims the original, deletes its object now
/// (no grace period), releases every holder and removes its row; the app soft-deletes the image
/// rows of the released holders, as deleting an image does, so they stay for billing and are no
/// longer shown or served.
/// </summary>
/// <remarks>
/// A purge cannot join the app's transaction (it deletes bytes, and commits batch by batch), so the
/// app's rows follow each batch of released holders in a statement of their own, as soon as the
/// batch is committed, in bounded memory however many images share the original. Last, every live
/// row still naming a purged original is soft-deleted too: those of a batch an earlier, interrupted
/// run released without reporting. So running the same purge again always finishes the app's part.
/// </remarks>
internal sealed partial class ImagePurge(AppDb db, IImageDedup dedup, ILogger<ImagePurge> logger)
{
    /// <summary>Purges one original, or null when it does not exist and no live image names it.</summary>
    public async Task<PurgeResponse?> PurgeAsync(Guid originalId, PurgeRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await RunAsync(request, r => dedup.DefaultScope.PurgeAsync(originalId, r, cancellationToken), cancellationToken);
        }
        catch (OriginalNotFoundException)
        {
            // Gone already — perhaps by a purge stopped before the app's part: finish that part.
            var leftOver = await SoftDeleteNamingAsync([originalId], cancellationToken);
            return leftOver == 0 ? null : new PurgeResponse(null, [], [], 0, leftOver, false);
        }
    }

    /// <summary>Purges every original of the app's scope holding <paramref name="digest"/> (none is not an error).</summary>
    public Task<PurgeResponse> PurgeAsync(ContentDigest digest, PurgeRequest request, CancellationToken cancellationToken)
        => RunAsync(request, r => dedup.DefaultScope.PurgeAsync(digest, r, cancellationToken), cancellationToken);

    private async Task<PurgeResponse> RunAsync(PurgeRequest request, Func<PurgeRequest, Task<PurgeResult>> purge, CancellationToken cancellationToken)
    {
        var deleted = 0;
        var result = await purge(request with
        {
            OnHoldersReleased = async (holders, token) =>
            {
                var imageIds = holders.Select(h => Holders.ImageId(h.Holder)).OfType<long>().ToArray();
                deleted += await db.Images
                    .Where(i => imageIds.Contains(i.Id) && i.DeletedAt == null)
                    .ExecuteUpdateAsync(i => i.SetProperty(x => x.DeletedAt, DateTimeOffset.UtcNow), token);
            },
        });
        deleted += await SoftDeleteNamingAsync([.. result.OriginalsPurged, .. result.OriginalsUnfinished], cancellationToken);
        var blocked = result.Block is not null;
        LogPurged(logger, result.Digest, result.OriginalsPurged.Count, result.HoldersReleased, deleted, blocked);
        return new PurgeResponse(result.Digest.ToString(), result.OriginalsPurged, result.OriginalsUnfinished, result.HoldersReleased, deleted, blocked);
    }

    private async Task<int> SoftDeleteNamingAsync(Guid[] originalIds, CancellationToken cancellationToken)
        => originalIds.Length == 0
            ? 0
            : await db.Images
                .Where(i => i.OriginalId != null && originalIds.Contains(i.OriginalId.Value) && i.DeletedAt == null)
                .ExecuteUpdateAsync(i => i.SetProperty(x => x.DeletedAt, DateTimeOffset.UtcNow), cancellationToken);

    [LoggerMessage(1, LogLevel.Information, "Purged {Digest}: {Originals} original(s), {Holders} holder(s) released, {Images} image row(s) soft-deleted, blocked: {Blocked}")]
    private static partial void LogPurged(ILogger logger, ContentDigest digest, int originals, long holders, int images, bool blocked);
}

/// <summary>
/// What a purge did. <see cref="Digest"/> is null when the original was gone already and only the
/// app's rows naming it were left to soft-delete. <see cref="OriginalsUnfinished"/>: the object store
/// failed to delete their bytes; they are unreadable and reconcile deletes them.
/// </summary>
internal sealed record PurgeResponse(string? Digest, IReadOnlyList<Guid> OriginalsPurged, IReadOnlyList<Guid> OriginalsUnfinished, long HoldersReleased, int ImagesDeleted, bool Blocked);
