using System.Runtime.ExceptionServices;

namespace ImageDedup.SampleApi.Backfill;

/// <summary>A row stored the old way, as the backfill reads it.</summary>
internal sealed record LegacyRow(long Id, long ProjectId, string Url, Guid? OriginalId, bool Deleted);

/// <summary>What ingesting one row's old object gave: its original, or why the row is skipped (left as it is).</summary>
internal sealed record LegacyIngestOutcome(LegacyRow Row, IngestResult? Result, string? Skipped);

/// <summary>
/// The one place the backfill turns old objects into originals, a batch of rows at a time: one batch
/// ingest per batch of rows (<see cref="IImageDedupScope.IngestManyAsync"/>), so the catalogue's
/// commits are paid once per group of images and the objects are hashed on every core. Each object
/// is ingested without a holder; the backfill adds the references in its own transaction.
/// </summary>
internal sealed class LegacyIngest(IImageDedup dedup, LegacyObjects objects)
{
    public async Task<IReadOnlyList<LegacyIngestOutcome>> IngestAsync(IReadOnlyList<LegacyRow> rows, CancellationToken cancellationToken)
    {
        var outcomes = new LegacyIngestOutcome?[rows.Count];
        var opened = new List<(int Index, LegacyObject Object)>(rows.Count);
        try
        {
            // Opened first, so each item can declare its object's length: a response cut short is
            // then refused (ContentIntegrityException) rather than stored short.
            for (var i = 0; i < rows.Count; i++)
            {
                if (await objects.OpenAsync(rows[i].Url, cancellationToken) is { } legacy)
                {
                    opened.Add((i, legacy));
                }
                else
                {
                    outcomes[i] = new LegacyIngestOutcome(rows[i], null, "its old object is missing");
                }
            }

            var items = opened.Select(o => new IngestItem(
                _ => ValueTask.FromResult(o.Object.Content),
                new IngestRequest { ExpectedLength = o.Object.Length }));
            await foreach (var item in dedup.DefaultScope.IngestManyAsync(items.ToAsyncEnumerable(), cancellationToken: cancellationToken))
            {
                var (index, _) = opened[checked((int)item.Index)];
                outcomes[index] = item.Error switch
                {
                    null => new LegacyIngestOutcome(rows[index], item.Result, null),

                    // Refused as an upload would be (not an image, cut short, empty, too large, shorter
                    // than its object claims, blocked, over the quota): nothing stored, the row stays as
                    // it is and the next run tries again. Anything else (a server down) ends the run.
                    ImageDedupException refusal when refusal is NotAnImageException or ImageTruncatedException or EmptyContentException
                        or ContentTooLargeException or ContentIntegrityException or BlockedContentException or QuotaExceededException
                        => new LegacyIngestOutcome(rows[index], null, refusal.Message),
                    var error => Rethrow(error),
                };
            }
        }
        finally
        {
            foreach (var (_, legacy) in opened)
            {
                await legacy.DisposeAsync();
            }
        }

        return outcomes.Select((o, i) => o ?? throw new InvalidOperationException($"The batch ingest gave no result for row {rows[i].Id}.")).ToList();
    }

    private static LegacyIngestOutcome Rethrow(Exception error)
    {
        ExceptionDispatchInfo.Throw(error);
        return null!;
    }
}
