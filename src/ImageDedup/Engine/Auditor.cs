using System.Diagnostics;
using System.Globalization;
using ImageDedup.Shared;
using ImageDedup.Storage;
using Microsoft.Extensions.Logging;

namespace ImageDedup.Engine;

/// <summary>
/// The full sweeps that used to run inside every reconcile: blobs no row names, and live rows
/// whose blob is missing. Neither is left by a crash of the protocol (every row outlives its
/// blob), only by outside hands — a restored backup, a bucket edited by hand, lost bytes — so they
/// run on request, rate-limited and resumable.
/// </summary>
/// <remarks>
/// Two phases, each resumable: the blob listing, one of the 256 first-level key shards
/// (<c>sha256/00/</c> … <c>sha256/ff/</c>) at a time, then the originals in id order, a page at a
/// time. The cursor names the next shard (<c>blobs/3f</c>) or the store's page cursor
/// (<c>rows/…</c>). Like reconcile, it first confirms that the blob store's location is this
/// catalogue's, and only keys in the engine's own format are ever deleted.
/// </remarks>
internal sealed class Auditor(IReferenceStore references, OwnedBlobStore blobs, CatalogueOwnership ownership, ImageDedupOptions engineOptions, ILogger logger)
{
    private const int MaxReportedMissing = 1000;
    private const int ShardCount = 256;
    private const int KeysPerListRequest = 1000;
    private const string BlobsPhase = "blobs/";
    private const string RowsPhase = "rows/";

    public async Task<AuditResult> RunAsync(AuditOptions options, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.BatchSize, ImageDedupLimits.MaxPageSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ClockSkewAllowance, TimeSpan.Zero);
        var grace = options.GracePeriod ?? engineOptions.OrphanGracePeriod;
        ArgumentOutOfRangeException.ThrowIfLessThan(grace, TimeSpan.Zero);
        if (options.MaxRequestsPerSecond is { } rate && !(rate > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(options), rate, "MaxRequestsPerSecond must be positive.");
        }

        var run = new Run(options, Start(options));
        await ownership.ConfirmAsync(cancellationToken).ConfigureAwait(false);

        if (run.Position is { Shard: { } first })
        {
            var cutoff = await references.GetTimeAsync(cancellationToken).ConfigureAwait(false) - grace - options.ClockSkewAllowance;
            for (var shard = first; shard < ShardCount; shard++)
            {
                if (run.OutOfTime)
                {
                    return Stop(run, BlobsPhase + ShardName(shard));
                }

                await SweepShardAsync(run, ShardName(shard), cutoff, cancellationToken).ConfigureAwait(false);
                run.Report(logger, shard + 1 < ShardCount ? BlobsPhase + ShardName(shard + 1) : FirstRowsCursor(options));
            }

            run.Position = options.CheckMissingBlobs ? new Position(null, null) : null;
        }

        if (run.Position is { } rows && options.CheckMissingBlobs)
        {
            var cursor = rows.RowCursor;
            do
            {
                if (run.OutOfTime)
                {
                    return Stop(run, RowsPhase + cursor);
                }

                var page = await references.ListOriginalsAsync(null, cursor, options.BatchSize, cancellationToken).ConfigureAwait(false);
                foreach (var original in page.Items.Where(o => o.State == OriginalState.Live))
                {
                    await CheckAsync(run, original, cancellationToken).ConfigureAwait(false);
                }

                cursor = page.NextCursor;
                run.Report(logger, cursor is null ? null : RowsPhase + cursor);
            }
            while (cursor is not null);
        }

        return Stop(run, null);
    }

    private AuditResult Stop(Run run, string? nextCursor)
    {
        ReconcileLog.AuditFinished(logger, run.Options.DryRun, nextCursor is null ? "complete" : "stopped at " + nextCursor, run.Listed, run.Checked, run.Rowless, run.MissingCount, run.Requests);
        return new AuditResult
        {
            DryRun = run.Options.DryRun,
            BlobsListed = run.Listed,
            OriginalsChecked = run.Checked,
            RowlessBlobsDeleted = run.Rowless,
            MissingBlobs = run.Missing,
            Requests = run.Requests,
            NextCursor = nextCursor,
        };
    }

    private async Task SweepShardAsync(Run run, string shard, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var batch = new List<BlobProperties>(run.Options.BatchSize);
        // A listing is one request per page of up to 1,000 keys, an empty one included.
        await run.Pace(1, cancellationToken).ConfigureAwait(false);
        long listedInShard = 0;
        await foreach (var blob in blobs.ListAsync(StorageKeys.Prefix + shard + "/", cancellationToken).ConfigureAwait(false))
        {
            if (++listedInShard % KeysPerListRequest == 0)
            {
                await run.Pace(1, cancellationToken).ConfigureAwait(false);
            }

            run.Listed++;

            // A host's own file or object at the location is not ours to judge, whatever its age.
            if (!StorageKeys.IsEngineKey(blob.Key))
            {
                continue;
            }

            batch.Add(blob);
            if (batch.Count == run.Options.BatchSize)
            {
                await DeleteRowlessAsync(run, batch, cutoff, cancellationToken).ConfigureAwait(false);
                batch.Clear();
            }
        }

        await DeleteRowlessAsync(run, batch, cutoff, cancellationToken).ConfigureAwait(false);
    }

    private async Task DeleteRowlessAsync(Run run, List<BlobProperties> batch, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        var named = await references.FindStorageKeysAsync(batch.Select(b => b.Key).ToList(), cancellationToken).ConfigureAwait(false);
        foreach (var blob in batch.Where(b => !named.Contains(b.Key) && b.LastModified <= cutoff))
        {
            if (!run.Options.DryRun)
            {
                await run.Pace(1, cancellationToken).ConfigureAwait(false);
                await blobs.DeleteAsync(blob.Key, cancellationToken).ConfigureAwait(false);
                ReconcileLog.RowlessBlobDeleted(logger, blob.Key);
            }

            run.Rowless++;
        }
    }

    private async Task CheckAsync(Run run, Original original, CancellationToken cancellationToken)
    {
        await run.Pace(1, cancellationToken).ConfigureAwait(false);
        run.Checked++;
        var present = await blobs.GetPropertiesAsync(original.StorageKey, cancellationToken).ConfigureAwait(false) is not null;
        if (present)
        {
            if (original.BlobMissingSince is not null && !run.Options.DryRun)
            {
                await references.MarkBlobMissingAsync(original.Id, missing: false, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        // The row may have been claimed and its blob deleted since the page was read.
        var current = await references.GetAsync(original.Id, cancellationToken).ConfigureAwait(false);
        if (current?.State != OriginalState.Live)
        {
            return;
        }

        ReconcileLog.BlobMissing(logger, original.Id, original.StorageKey);
        if (!run.Options.DryRun)
        {
            await references.MarkBlobMissingAsync(original.Id, missing: true, cancellationToken).ConfigureAwait(false);
        }

        run.MissingCount++;
        if (run.Missing.Count < MaxReportedMissing)
        {
            run.Missing.Add(original.Id);
        }
    }

    private static Position? Start(AuditOptions options)
    {
        if (options.Cursor is not { } cursor)
        {
            return options.DeleteRowlessBlobs ? new Position(0, null)
                : options.CheckMissingBlobs ? new Position(null, null)
                : null;
        }

        if (cursor.StartsWith(BlobsPhase, StringComparison.Ordinal)
            && int.TryParse(cursor.AsSpan(BlobsPhase.Length), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var shard)
            && cursor.Length == BlobsPhase.Length + 2 && shard is >= 0 and < ShardCount)
        {
            return options.DeleteRowlessBlobs ? new Position(shard, null) : new Position(null, null);
        }

        if (cursor.StartsWith(RowsPhase, StringComparison.Ordinal))
        {
            var rows = cursor[RowsPhase.Length..];
            return new Position(null, rows.Length == 0 ? null : rows);
        }

        throw new ArgumentException($"'{cursor}' is not an audit cursor.", nameof(options));
    }

    private static string? FirstRowsCursor(AuditOptions options) => options.CheckMissingBlobs ? RowsPhase : null;

    private static string ShardName(int shard) => shard.ToString("x2", CultureInfo.InvariantCulture);

    /// <summary>Where a run starts: a blob shard, or the originals from a store cursor (null: the first page).</summary>
    private sealed record Position(int? Shard, string? RowCursor);

    /// <summary>One run's counters, clock and request pacing.</summary>
    private sealed class Run(AuditOptions options, Position? position)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        public AuditOptions Options { get; } = options;

        public Position? Position { get; set; } = position;

        public long Listed { get; set; }

        public long Checked { get; set; }

        public long Rowless { get; set; }

        public long MissingCount { get; set; }

        public List<Guid> Missing { get; } = [];

        public long Requests { get; private set; }

        public bool OutOfTime => Options.MaxDuration is { } limit && _clock.Elapsed >= limit;

        /// <summary>Counts <paramref name="requests"/> and waits until the rate allows them.</summary>
        public async Task Pace(int requests, CancellationToken cancellationToken)
        {
            Requests += requests;
            if (Options.MaxRequestsPerSecond is { } rate)
            {
                var due = TimeSpan.FromSeconds((Requests - 1) / rate) - _clock.Elapsed;
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        public void Report(ILogger logger, string? cursor)
        {
            ReconcileLog.AuditProgress(logger, Options.DryRun, cursor, Listed, Checked, Rowless, MissingCount, Requests);
            Options.Progress?.Report(new AuditProgress(cursor, Listed, Checked, Rowless, MissingCount, Requests));
        }
    }
}
