namespace ImageDedup.SampleApi.Backfill;

/// <summary>A row stored the old way, as the backfill reads it.</summary>
internal sealed record LegacyRow(long Id, long ProjectId, string Url, Guid? OriginalId, bool Deleted);

/// <summary>What ingesting one row's old object gave: its original, or why the row is skipped (left as it is).</summary>
internal sealed record LegacyIngestOutcome(LegacyRow Row, IngestResult? Result, string? Skipped);

/// <summary>
/// The one place the backfill turns old objects into originals, a batch of rows at a time. Each
/// object is ingested without a holder; the backfill adds the references in its own transaction.
/// </summary>
/// <remarks>
/// Today this is one single ingest per object. A batch ingest replaces the body of
/// <see cref="IngestAsync"/> with one call per batch (opening the objects as its sources);
/// the outcomes, and so the rest of the backfill, stay the same.
/// </remarks>
internal sealed class LegacyIngest(IImageDedup dedup, LegacyObjects objects)
{
    public async Task<IReadOnlyList<LegacyIngestOutcome>> IngestAsync(IReadOnlyList<LegacyRow> rows, CancellationToken cancellationToken)
    {
        var outcomes = new List<LegacyIngestOutcome>(rows.Count);
        foreach (var row in rows)
        {
            await using var legacy = await objects.OpenAsync(row.Url, cancellationToken);
            if (legacy is null)
            {
                outcomes.Add(new LegacyIngestOutcome(row, null, "its old object is missing"));
                continue;
            }

            try
            {
                var result = await dedup.DefaultScope.IngestAsync(legacy.Content, new IngestRequest { ExpectedLength = legacy.Length }, cancellationToken);
                outcomes.Add(new LegacyIngestOutcome(row, result, null));
            }
            catch (ImageDedupException ex) when (ex is NotAnImageException or ImageTruncatedException or EmptyContentException or ContentTooLargeException or ContentIntegrityException)
            {
                // Refused as an upload would be (not an image, cut short, empty, too large, shorter than
                // its object claims), nothing stored. Anything else (a server down) ends the run.
                outcomes.Add(new LegacyIngestOutcome(row, null, ex.Message));
            }
        }

        return outcomes;
    }
}
