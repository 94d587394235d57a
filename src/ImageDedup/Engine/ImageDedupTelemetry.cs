using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ImageDedup.Engine;

/// <summary>
/// The <c>ImageDedup</c> meter and activity source. Instruments follow the OpenTelemetry naming
/// style; durations are histograms in seconds tagged with the operation name.
/// </summary>
internal sealed class ImageDedupTelemetry : IDisposable
{
    public const string Name = "ImageDedup";

    public static readonly ActivitySource ActivitySource = new(Name, typeof(ImageDedupTelemetry).Assembly.GetName().Version?.ToString());

    private readonly Meter _meter;

    public ImageDedupTelemetry(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(Name) ?? new Meter(Name);
        Ingests = _meter.CreateCounter<long>("imagededup.ingests", "{ingest}", "Ingests that completed, tagged with whether they were duplicates.");
        BytesStored = _meter.CreateCounter<long>("imagededup.bytes.stored", "By", "Bytes written to the blob store by ingests.");
        BytesSaved = _meter.CreateCounter<long>("imagededup.bytes.saved", "By", "Bytes not written because an ingest found an existing original.");
        Deletions = _meter.CreateCounter<long>("imagededup.deletions", "{original}", "Originals whose row and bytes were deleted, tagged with the reason.");
        Purges = _meter.CreateCounter<long>("imagededup.purges", "{original}", "Originals taken down by a purge: holders released, bytes and row deleted.");
        PurgedReferences = _meter.CreateCounter<long>("imagededup.purges.references", "{reference}", "References released by purges.");
        BlockListChanges = _meter.CreateCounter<long>("imagededup.blocklist.changes", "{entry}", "Block-list entries added or removed, tagged with the action (block, unblock).");
        Refusals = _meter.CreateCounter<long>("imagededup.refusals", "{ingest}", "Ingests refused before anything was stored, tagged with the reason (blocked).");
        Duration = _meter.CreateHistogram<double>("imagededup.operation.duration", "s", "Duration of public operations, tagged with the operation.");
    }

    public Counter<long> Ingests { get; }

    public Counter<long> BytesStored { get; }

    public Counter<long> BytesSaved { get; }

    public Counter<long> Deletions { get; }

    public Counter<long> Purges { get; }

    public Counter<long> PurgedReferences { get; }

    public Counter<long> BlockListChanges { get; }

    public Counter<long> Refusals { get; }

    public Histogram<double> Duration { get; }

    /// <summary>Starts the activity of a public operation and times it until the scope is disposed.</summary>
    public OperationScope Start(string operation) => new(this, operation, ActivitySource.StartActivity(operation));

    public void Dispose() => _meter.Dispose();

    /// <summary>Times one operation and closes its activity, marking it failed unless <see cref="Complete"/> ran.</summary>
    public sealed class OperationScope(ImageDedupTelemetry telemetry, string operation, Activity? activity) : IDisposable
    {
        private readonly long _started = Stopwatch.GetTimestamp();
        private bool _completed;

        public Activity? Activity => activity;

        public void Complete() => _completed = true;

        public void Dispose()
        {
            var outcome = _completed ? "ok" : "error";
            telemetry.Duration.Record(
                Stopwatch.GetElapsedTime(_started).TotalSeconds,
                new KeyValuePair<string, object?>("operation", operation),
                new KeyValuePair<string, object?>("outcome", outcome));
            if (activity is not null)
            {
                if (!_completed)
                {
                    activity.SetStatus(ActivityStatusCode.Error);
                }

                activity.Dispose();
            }
        }
    }
}
