using System.Collections.Concurrent;
using ImageDedup.Storage;
using Microsoft.Extensions.Logging;

namespace ImageDedup.Engine;

/// <summary>
/// Re-hashes stored blobs against their digests, a page at a time, with bounded concurrency. One
/// blob that cannot be read (the store's checksum fails, the body ends short, an I/O error) is
/// recorded and the scrub goes on: a scrub exists to find exactly such blobs.
/// </summary>
internal sealed class Verifier(IReferenceStore references, OwnedBlobStore blobs, IContentHasher hasher, ILogger logger)
{
    private const int PageSize = 100;

    public async Task<VerifyResult> RunAsync(VerifyOptions options, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Concurrency, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Concurrency, 64);
        if (options.MaxOriginals is { } max)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        }

        var missing = new ConcurrentBag<Guid>();
        var corrupt = new ConcurrentBag<Guid>();
        var unreadable = new ConcurrentBag<Guid>();
        long checkedCount = 0;
        var cursor = options.Cursor;
        while (true)
        {
            var remaining = options.MaxOriginals is { } limit ? limit - (int)checkedCount : PageSize;
            var page = await references.ListOriginalsAsync(options.Scope, cursor, Math.Min(PageSize, remaining), cancellationToken).ConfigureAwait(false);
            var live = page.Items.Where(o => o.State == OriginalState.Live).ToList();
            await Parallel.ForEachAsync(
                live,
                new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = cancellationToken },
                async (original, ct) =>
                {
                    switch (await CheckAsync(original, ct).ConfigureAwait(false))
                    {
                        case Finding.Missing:
                            missing.Add(original.Id);
                            break;
                        case Finding.Corrupt:
                            corrupt.Add(original.Id);
                            break;
                        case Finding.Unreadable:
                            unreadable.Add(original.Id);
                            break;
                    }
                }).ConfigureAwait(false);

            checkedCount += live.Count;
            cursor = page.NextCursor;
            if (cursor is null || (options.MaxOriginals is { } cap && checkedCount >= cap) || page.Items.Count == 0)
            {
                return new VerifyResult(checkedCount, [.. missing], [.. corrupt], [.. unreadable], cursor);
            }
        }
    }

    private async Task<Finding> CheckAsync(Original original, CancellationToken cancellationToken)
    {
        ContentDigest actual;
        try
        {
            var stream = await blobs.OpenReadAsync(original.StorageKey, null, cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                actual = await hasher.HashAsync(stream, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (BlobNotFoundException)
        {
            var current = await references.GetAsync(original.Id, cancellationToken).ConfigureAwait(false);
            if (current?.State != OriginalState.Live)
            {
                return Finding.Whole; // deleted since the page was read
            }

            ReconcileLog.BlobMissing(logger, original.Id, original.StorageKey);
            await references.MarkBlobMissingAsync(original.Id, missing: true, cancellationToken).ConfigureAwait(false);
            return Finding.Missing;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if ((await references.GetAsync(original.Id, cancellationToken).ConfigureAwait(false))?.State != OriginalState.Live)
            {
                return Finding.Whole; // deleted while it was being read
            }

            // The store itself found the bytes wrong (its checksum, a length it knows): corrupt.
            // Anything else may pass (a network error): unreadable, for the next scrub to retry.
            var finding = ex is ContentIntegrityException ? Finding.Corrupt : Finding.Unreadable;
            ReconcileLog.Unreadable(logger, ex, original.Id, original.StorageKey, finding == Finding.Corrupt ? "corrupt" : "unreadable");
            return finding;
        }

        if (actual != original.Digest)
        {
            ReconcileLog.Corrupt(logger, original.Id, original.Digest, actual);
            return Finding.Corrupt;
        }

        if (original.BlobMissingSince is not null)
        {
            await references.MarkBlobMissingAsync(original.Id, missing: false, cancellationToken).ConfigureAwait(false);
        }

        return Finding.Whole;
    }

    private enum Finding
    {
        Whole,
        Missing,
        Corrupt,
        Unreadable,
    }
}
