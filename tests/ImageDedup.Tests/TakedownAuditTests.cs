using System.Diagnostics.Metrics;
using ImageDedup.Testing.Content;
using ImageDedup.Tests.Truncation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ImageDedup.Tests;

/// <summary>
/// The audit trail of takedowns, as a host's log and metrics pipeline sees it: every purge and every
/// block-list change at Information with who and why, every refusal logged, each counted in the meter.
/// </summary>
public sealed class TakedownAuditTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("imagededup-takedown-audit-").FullName;
    private readonly LogCapture _logs = new();

    [Fact]
    public async Task Purges_blocks_and_refusals_are_logged_with_who_and_why_and_counted()
    {
        var services = new ServiceCollection();
        services.AddMetrics();
        services.AddLogging(logging => logging.AddProvider(_logs).SetMinimumLevel(LogLevel.Information));
        services.AddImageDedup(o => o.PurgeBatchSize = 2)
            .UseSqlite($"Data Source={Path.Combine(_root, "catalogue.db")}")
            .UseFileSystem(Path.Combine(_root, "blobs"));
        await using var provider = services.BuildServiceProvider();
        var meterFactory = provider.GetRequiredService<IMeterFactory>();
        var measurements = new List<(string Instrument, long Value, string? Tag)>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == meterFactory)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? tag = null;
            foreach (var t in tags)
            {
                tag = t.Value as string;
            }

            lock (measurements)
            {
                measurements.Add((instrument.Name, value, tag));
            }
        });
        meters.Start();

        var engine = provider.GetRequiredService<IImageDedup>();
        var image = TestImages.UniquePng(2_000);
        var stored = await engine.DefaultScope.IngestAsync(new MemoryStream(image), new IngestRequest { Holder = "a/1" });
        for (var i = 2; i <= 5; i++)
        {
            await engine.DefaultScope.AddReferenceAsync(stored.Original.Id, $"a/{i}");
        }

        await engine.DefaultScope.PurgeAsync(stored.Original.Id, new PurgeRequest { RequestedBy = "alice@legal", Reason = "DMCA #4471", Block = true });
        await Assert.ThrowsAsync<BlockedContentException>(() => engine.DefaultScope.IngestAsync(new MemoryStream(image), new IngestRequest { Holder = "a/6" }));
        await engine.DefaultScope.UnblockAsync(stored.Original.Digest, new BlockRequest { RequestedBy = "bob@legal", Reason = "counter-notice upheld" });

        var information = _logs.Records.Where(r => r.Level == LogLevel.Information).Select(r => r.Message).ToList();
        Assert.Contains(information, m => m.Contains("Purge of original " + stored.Original.Id, StringComparison.Ordinal) && m.Contains("alice@legal", StringComparison.Ordinal) && m.Contains("DMCA #4471", StringComparison.Ordinal));
        Assert.Contains(information, m => m.StartsWith("Blocked " + stored.Original.Digest, StringComparison.Ordinal) && m.Contains("alice@legal", StringComparison.Ordinal) && m.Contains("DMCA #4471", StringComparison.Ordinal));
        Assert.Contains(information, m => m.StartsWith("Purged original " + stored.Original.Id, StringComparison.Ordinal) && m.Contains("5 holders released", StringComparison.Ordinal) && m.Contains("alice@legal", StringComparison.Ordinal));
        Assert.Contains(information, m => m.StartsWith("Ingest in scope '' refused", StringComparison.Ordinal) && m.Contains("DMCA #4471", StringComparison.Ordinal));
        Assert.Contains(information, m => m.StartsWith("Unblocked " + stored.Original.Digest, StringComparison.Ordinal) && m.Contains("bob@legal", StringComparison.Ordinal) && m.Contains("counter-notice upheld", StringComparison.Ordinal));

        lock (measurements)
        {
            Assert.Equal(1, measurements.Where(m => m.Instrument == "imagededup.purges").Sum(m => m.Value));
            Assert.Equal(5, measurements.Where(m => m.Instrument == "imagededup.purges.references").Sum(m => m.Value));
            Assert.Equal(3, measurements.Count(m => m.Instrument == "imagededup.purges.references")); // batches of 2, 2 and 1
            Assert.Equal(1, measurements.Where(m => m.Instrument == "imagededup.blocklist.changes" && m.Tag == "block").Sum(m => m.Value));
            Assert.Equal(1, measurements.Where(m => m.Instrument == "imagededup.blocklist.changes" && m.Tag == "unblock").Sum(m => m.Value));
            Assert.Equal(1, measurements.Where(m => m.Instrument == "imagededup.refusals" && m.Tag == "blocked").Sum(m => m.Value));
            Assert.Single(measurements, m => m.Instrument == "imagededup.deletions" && m.Tag == "purged");
        }
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
