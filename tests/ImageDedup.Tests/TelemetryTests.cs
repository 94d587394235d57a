using System.Diagnostics;
using System.Diagnostics.Metrics;
using ImageDedup.Testing.Content;
using Microsoft.Extensions.DependencyInjection;

namespace ImageDedup.Tests;

/// <summary>What a host's OpenTelemetry pipeline would see: the ImageDedup meter and activity source.</summary>
public sealed class TelemetryTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("imagededup-telemetry-").FullName;

    [Fact]
    public async Task Operations_are_measured_and_traced()
    {
        var services = new ServiceCollection();
        services.AddMetrics();
        services.AddImageDedup()
            .UseSqlite($"Data Source={Path.Combine(_root, "catalogue.db")}")
            .UseFileSystem(Path.Combine(_root, "blobs"));
        await using var provider = services.BuildServiceProvider();
        var meterFactory = provider.GetRequiredService<IMeterFactory>();

        var measurements = new List<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            // Only this provider's meter: other tests in the process create engines too.
            if (instrument.Meter.Name == "ImageDedup" && instrument.Meter.Scope == meterFactory)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        meters.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        meters.Start();

        var activities = new List<Activity>();
        using var tracing = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "ImageDedup",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (activities)
                {
                    activities.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(tracing);

        var engine = provider.GetRequiredService<IImageDedup>();
        var bytes = TestImages.UniquePng(10_000);
        var first = await engine.DefaultScope.IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = "a" });
        await engine.DefaultScope.IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = "b" });
        await engine.DefaultScope.ReleaseAsync("a");
        await engine.DefaultScope.ReleaseAsync("b");

        lock (measurements)
        {
            Assert.Equal(2, measurements.Where(m => m.Instrument == "imagededup.ingests").Sum(m => m.Value));
            Assert.Single(measurements, m => m.Instrument == "imagededup.ingests" && Equals(m.Tags["duplicate"], true));
            Assert.Equal(bytes.Length, measurements.Where(m => m.Instrument == "imagededup.bytes.stored").Sum(m => m.Value));
            Assert.Equal(bytes.Length, measurements.Where(m => m.Instrument == "imagededup.bytes.saved").Sum(m => m.Value));
            Assert.Equal(1, measurements.Where(m => m.Instrument == "imagededup.deletions").Sum(m => m.Value));
            var durations = measurements.Where(m => m.Instrument == "imagededup.operation.duration").ToList();
            Assert.Equal(2, durations.Count(m => Equals(m.Tags["operation"], "ingest") && Equals(m.Tags["outcome"], "ok")));
            Assert.Equal(2, durations.Count(m => Equals(m.Tags["operation"], "release")));
            Assert.All(durations, m => Assert.True(m.Value >= 0));
        }

        lock (activities)
        {
            var ours = activities.Where(a => a.GetTagItem("imagededup.digest") is string d && d == first.Original.Digest.ToString()).ToList();
            Assert.Equal(2, ours.Count(a => a.OperationName == "ingest"));
            Assert.Contains(activities, a => a.OperationName == "release");
        }

        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var copy = new Dictionary<string, object?>();
            foreach (var tag in tags)
            {
                copy[tag.Key] = tag.Value;
            }

            lock (measurements)
            {
                measurements.Add((instrument.Name, value, copy));
            }
        }
    }

    [Fact]
    public async Task A_failed_operation_is_measured_as_an_error()
    {
        var services = new ServiceCollection();
        services.AddMetrics();
        services.AddImageDedup()
            .UseSqlite($"Data Source={Path.Combine(_root, "failed.db")}")
            .UseFileSystem(Path.Combine(_root, "failed-blobs"));
        await using var provider = services.BuildServiceProvider();
        var meterFactory = provider.GetRequiredService<IMeterFactory>();
        var outcomes = new List<string?>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == meterFactory && instrument.Name == "imagededup.operation.duration")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<double>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "outcome")
                {
                    outcomes.Add(tag.Value as string);
                }
            }
        });
        meters.Start();

        var engine = provider.GetRequiredService<IImageDedup>();
        await Assert.ThrowsAsync<NotAnImageException>(() => engine.DefaultScope.IngestAsync(new MemoryStream(TestImages.NotAnImage())));

        Assert.Equal(["error"], outcomes);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
