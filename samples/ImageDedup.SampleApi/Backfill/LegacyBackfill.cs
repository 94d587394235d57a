using System.Diagnostics;
using ImageDedup.SampleApi.Data;
using ImageDedup.SampleApi.Images;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace ImageDedup.SampleApi.Backfill;

/// <summary>
/// The seed's deployment step 3: moves images stored the old way (a plain object per row, named
/// by <see cref="Image.OriginalUrl"/>) onto originals. Per batch of rows, in id order:
/// <list type="number">
/// <item>ingest each row's old object (no holder yet);</item>
/// <item>in one transaction, point each row at its original and add its holder reference;</item>
/// <item>after that commit, delete each old object no unmoved row still names, then clear the row's URL.</item>
/// </list>
/// Every step is idempotent and a row's state says which step it needs (URL and no original; URL
/// and original; original only), so a run killed anywhere is finished by the next, and a run
/// over finished rows changes nothing. An old object is deleted only after its row points at an
/// original. The app may serve and delete images meanwhile: row locks order the two.
/// </summary>
internal sealed partial class LegacyBackfill(AppDb db, IImageDedup dedup, LegacyIngest ingest, LegacyObjects objects, ILogger<LegacyBackfill> logger)
{
    private const int Attempts = 3;

    /// <summary>Rows still to move (live, not yet pointing at an original), or whose old object is still to delete.</summary>
    private IQueryable<Image> Queue
        => db.Images.AsNoTracking().Where(i => i.OriginalUrl != null && (i.DeletedAt == null || i.OriginalId != null));

    public Task<int> CountAsync(CancellationToken cancellationToken) => Queue.CountAsync(cancellationToken);

    public async Task<BackfillReport> RunAsync(BackfillSettings settings, Action<BackfillReport> progress, CancellationToken cancellationToken)
    {
        var report = new BackfillReport();
        var clock = Stopwatch.StartNew();
        long after = 0;
        while (true)
        {
            var batch = await Queue
                .Where(i => i.Id > after)
                .OrderBy(i => i.Id)
                .Take(settings.BatchSize)
                .Select(i => new LegacyRow(i.Id, i.ProjectId, i.OriginalUrl!, i.OriginalId, i.DeletedAt != null))
                .ToListAsync(cancellationToken);
            if (batch.Count == 0)
            {
                return report;
            }

            after = batch[^1].Id;
            report = await PointAtOriginalsAsync([.. batch.Where(r => r.OriginalId is null && !r.Deleted)], report, cancellationToken);
            report = await DeleteOldObjectsAsync(batch, report, cancellationToken);
            report = report with { Done = report.Done + batch.Count };
            progress(report);
            await PaceAsync(settings, report.Done, clock.Elapsed, cancellationToken);
        }
    }

    private async Task<BackfillReport> PointAtOriginalsAsync(IReadOnlyList<LegacyRow> rows, BackfillReport report, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return report;
        }

        for (var attempt = 1; ; attempt++)
        {
            var outcomes = await ingest.IngestAsync(rows, cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            long moved = 0, newOriginals = 0, newBytes = 0;
            try
            {
                foreach (var (row, result, _) in outcomes)
                {
                    if (result is null)
                    {
                        continue;
                    }

                    var original = result.Original;
                    var pointed = await db.Images
                        .Where(i => i.Id == row.Id && i.OriginalId == null && i.DeletedAt == null)
                        .ExecuteUpdateAsync(
                            s => s.SetProperty(i => i.OriginalId, original.Id)
                                .SetProperty(i => i.ContentType, original.ContentType)
                                .SetProperty(i => i.ByteLength, original.Length),
                            cancellationToken);
                    if (pointed == 0)
                    {
                        continue; // deleted by the app meanwhile; the unreferenced original is garbage collection's
                    }

                    await dedup.DefaultScope.AddReferenceAsync(original.Id, Holders.Image(row.ProjectId, row.Id), transaction.GetDbTransaction(), cancellationToken);
                    moved++;
                    if (result.StoredNewBytes)
                    {
                        newOriginals++;
                        newBytes += original.Length;
                    }
                }
            }
            catch (OriginalNotFoundException ex) when (attempt < Attempts)
            {
                LogIngestAgain(logger, ex.Message, attempt);
                await transaction.RollbackAsync(cancellationToken);
                continue;
            }

            await transaction.CommitAsync(cancellationToken);
            foreach (var skipped in outcomes.Where(o => o.Skipped is not null))
            {
                LogSkipped(logger, skipped.Row.Id, skipped.Row.Url, skipped.Skipped!);
            }

            return report with
            {
                Moved = report.Moved + moved,
                NewOriginals = report.NewOriginals + newOriginals,
                NewBytesStored = report.NewBytesStored + newBytes,
                Skipped = report.Skipped + outcomes.Count(o => o.Skipped is not null),
            };
        }
    }

    private async Task<BackfillReport> DeleteOldObjectsAsync(IReadOnlyList<LegacyRow> batch, BackfillReport report, CancellationToken cancellationToken)
    {
        var ids = batch.Select(r => r.Id).ToList();
        var pointed = await db.Images.AsNoTracking()
            .Where(i => ids.Contains(i.Id) && i.OriginalId != null && i.OriginalUrl != null)
            .OrderBy(i => i.Id)
            .Select(i => new { i.Id, Url = i.OriginalUrl! })
            .ToListAsync(cancellationToken);
        foreach (var row in pointed)
        {
            // An object two unmoved rows share goes with the last of them.
            var stillNeeded = await db.Images.AnyAsync(i => i.OriginalUrl == row.Url && i.Id != row.Id && i.OriginalId == null && i.DeletedAt == null, cancellationToken);
            if (!stillNeeded && await objects.DeleteAsync(row.Url, cancellationToken) is { } length)
            {
                report = report with { ObjectsDeleted = report.ObjectsDeleted + 1, BytesDeleted = report.BytesDeleted + length };
            }

            await db.Images.Where(i => i.Id == row.Id).ExecuteUpdateAsync(s => s.SetProperty(i => i.OriginalUrl, (string?)null), cancellationToken);
        }

        return report;
    }

    private static async Task PaceAsync(BackfillSettings settings, long done, TimeSpan elapsed, CancellationToken cancellationToken)
    {
        if (settings.MaxRowsPerSecond is { } rate)
        {
            var due = TimeSpan.FromSeconds(done / rate) - elapsed;
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due, cancellationToken);
            }
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "Image {ImageId} stays as it is ({Url}): {Reason}")]
    private static partial void LogSkipped(ILogger logger, long imageId, string url, string reason);

    [LoggerMessage(2, LogLevel.Warning, "An original was collected before its reference was added ({Reason}, attempt {Attempt}); ingesting the batch again")]
    private static partial void LogIngestAgain(ILogger logger, string reason, int attempt);
}
