using ImageDedup.AspNetCore;
using ImageDedup.SampleApi.Data;
using ImageDedup.SampleApi.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace ImageDedup.SampleApi.Images;

/// <summary>
/// An upload into a project as N styles: the bytes are stored once (the package streams the body
/// into the engine), then the N image rows and their N holder references commit in one
/// transaction, the DbContext's, which the reference store joins.
/// </summary>
internal sealed partial class ImageUpload(AppDb db, IImageDedup dedup, ILogger<ImageUpload> logger)
{
    /// <summary>
    /// How often an upload is ingested again when its original could not be referenced: garbage
    /// collection took it while still unreferenced (possible only past <c>OrphanGracePeriod</c>), or
    /// an operator purged or blocked it between the ingest and the reference.
    /// </summary>
    private const int Attempts = 3;

    public async Task<IResult> UploadAsync(HttpContext http, long projectId, IReadOnlyList<string> styles, CancellationToken cancellationToken)
    {
        // A cheap refusal before a byte of the body is read; the transaction checks again under a lock.
        if (!await db.Projects.AnyAsync(p => p.Id == projectId && p.DeletedAt == null, cancellationToken))
        {
            return SampleProblems.ProjectNotFound(projectId);
        }

        http.Request.EnableBuffering(); // only so that the rare retry below can ingest the same bytes again
        var images = dedup.DefaultScope;
        for (var attempt = 1; ; attempt++)
        {
            var upload = await ImageUploads.IngestAsync(http, images, holder: null, cancellationToken: cancellationToken);
            if (!upload.Stored)
            {
                return upload.Refusal;
            }

            var original = upload.Result.Original;
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            if (!await LockLiveProjectAsync(projectId, cancellationToken))
            {
                // Deleted meanwhile. The unreferenced original is garbage collection's.
                return SampleProblems.ProjectNotFound(projectId);
            }

            var rows = styles.Select(style => new Image
            {
                ProjectId = projectId,
                Style = style,
                OriginalId = original.Id,
                ContentType = original.ContentType,
                ByteLength = original.Length,
            }).ToList();
            db.Images.AddRange(rows);
            await db.SaveChangesAsync(cancellationToken);
            try
            {
                foreach (var row in rows)
                {
                    await images.AddReferenceAsync(original.Id, Holders.Image(projectId, row.Id), transaction.GetDbTransaction(), cancellationToken);
                }
            }
            catch (Exception ex) when (ex is OriginalNotFoundException or BlockedContentException && attempt < Attempts)
            {
                // Collected, purged or blocked between the ingest and the reference. Ingested
                // again, the bytes are stored anew, or refused in the package's words (451).
                LogIngestAgain(logger, original.Id, attempt, ex.GetType().Name);
                await transaction.RollbackAsync(cancellationToken);
                db.ChangeTracker.Clear();
                http.Request.Body.Position = 0;
                continue;
            }

            await transaction.CommitAsync(cancellationToken);
            LogUploaded(logger, projectId, rows.Count, original.Id, upload.Result.StoredNewBytes);
            return Results.Created($"/projects/{projectId}/images", new UploadResponse(
                original.Id,
                original.Digest.ToString(),
                original.Length,
                original.ContentType,
                upload.Result.StoredNewBytes,
                rows.Select(ImageResponse.From).ToList()));
        }
    }

    /// <summary>
    /// Holds the project live until commit: a concurrent project deletion (an UPDATE of the row)
    /// waits, then soft-deletes these rows too and releases their holders by prefix.
    /// </summary>
    private async Task<bool> LockLiveProjectAsync(long projectId, CancellationToken cancellationToken)
        => (await db.Database
            .SqlQuery<long>($"SELECT id AS \"Value\" FROM projects WHERE id = {projectId} AND deleted_at IS NULL FOR SHARE")
            .ToListAsync(cancellationToken)).Count == 1;

    [LoggerMessage(1, LogLevel.Information, "Project {ProjectId}: {Count} image(s) of original {OriginalId} (new bytes stored: {StoredNewBytes})")]
    private static partial void LogUploaded(ILogger logger, long projectId, int count, Guid originalId, bool storedNewBytes);

    [LoggerMessage(2, LogLevel.Warning, "Original {OriginalId} could not be referenced ({Reason}, attempt {Attempt}); ingesting the upload again")]
    private static partial void LogIngestAgain(ILogger logger, Guid originalId, int attempt, string reason);
}

internal sealed record UploadResponse(Guid OriginalId, string Digest, long Length, string ContentType, bool StoredNewBytes, IReadOnlyList<ImageResponse> Images);
