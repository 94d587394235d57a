using System.Diagnostics;
using System.Globalization;
using ImageDedup.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace ImageDedup.Scale;

/// <summary>One measured figure: a p50 latency in ms (median over the repetitions), or a size.</summary>
internal sealed record Figure(double Value, string Unit, int Operations);

/// <summary>Every figure of one catalogue size.</summary>
internal sealed class ScaleRun
{
    private ScaleRun(long originals) => Originals = originals;

    public long Originals { get; }

    public long References { get; private set; }

    public double PopulateSeconds { get; private set; }

    public Dictionary<string, Figure> Figures { get; } = [];

    public static async Task<ScaleRun> MeasureAsync(Func<ScaleCatalogue> create, long originals, ScaleSettings settings)
    {
        var run = new ScaleRun(originals);
        await using var catalogue = create();
        var blobs = new CountingBlobStore();
        var services = new ServiceCollection();
        var builder = services.AddImageDedup(o => o.AllowAnyContent = true);
        catalogue.Configure(builder);
        services.AddSingleton<IBlobStore>(blobs);
        await using var provider = services.BuildServiceProvider();
        var engine = provider.GetRequiredService<IImageDedup>();
        var store = provider.GetRequiredService<IReferenceStore>();

        var clock = Stopwatch.StartNew();
        await catalogue.PopulateAsync(store, originals);
        run.PopulateSeconds = clock.Elapsed.TotalSeconds;
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"scale: {catalogue.Name}: {originals:N0} originals populated in {run.PopulateSeconds:0.0} s"));
        var bytes = await catalogue.BytesAsync();
        run.References = (long)(await engine.GetStatisticsAsync()).References;

        var samples = new Dictionary<string, List<double>>();
        var counts = new Dictionary<string, int>();
        void Record(string name, (double P50, int Count) measured)
        {
            (samples.TryGetValue(name, out var list) ? list : samples[name] = []).Add(measured.P50);
            counts[name] = measured.Count;
        }

        long reconcileRequests = 0, reconciles = 0;
        for (var rep = 0; rep < settings.Repetitions; rep++)
        {
            var random = new Random(rep + 1);
            var picked = Enumerable.Range(0, settings.Operations).Select(_ => Pick(random, originals)).ToList();
            var scopes = await catalogue.ScopesAsync(picked.Select(ScaleCatalogue.IdOf).ToList());

            Record("attach", await TimeAsync(settings, picked.Count, k =>
                engine.Scope(scopes[ScaleCatalogue.IdOf(picked[k])]).IngestAsync(new MemoryStream(ScaleCatalogue.ContentOf(picked[k])), new IngestRequest { Holder = Holder(rep, "ingest", k) })));

            var added = picked.OrderBy(_ => random.Next()).ToList();
            var addCount = 0;
            Record("add_reference", await TimeAsync(settings, added.Count, async k =>
            {
                await engine.Scope(scopes[ScaleCatalogue.IdOf(added[k])]).AddReferenceAsync(ScaleCatalogue.IdOf(added[k]), Holder(rep, "add", k));
                addCount = k + 1;
            }));
            Record("release", await TimeAsync(settings, addCount, k =>
                engine.Scope(scopes[ScaleCatalogue.IdOf(added[k])]).ReleaseAsync(Holder(rep, "add", k))));

            var prefixes = Enumerable.Range(0, settings.PrefixReleases).Select(j => Holder(rep, "prefix", j) + "/").ToList();
            foreach (var prefix in prefixes)
            {
                await catalogue.SeedPrefixAsync(prefix);
            }

            Record("release_prefix_1000", await TimeAsync(settings, prefixes.Count, async k =>
            {
                var released = await engine.Scope(ScaleCatalogue.BigScope).ReleasePrefixAsync(prefixes[k]);
                if (released.ReferencesReleased != 1000)
                {
                    throw new InvalidOperationException($"released {released.ReferencesReleased} of 1000 references under {prefixes[k]}");
                }
            }));

            Record("gc_claim_batch", await TimeAsync(settings, settings.Operations, async _ =>
            {
                if ((await store.ClaimOrphansAsync(null, TimeSpan.Zero, 100)).Count == 0)
                {
                    throw new InvalidOperationException("garbage collection found no orphan to claim");
                }
            }, after: catalogue.UnclaimAsync));

            Record("statistics_global", await TimeAsync(settings, settings.Operations, _ => engine.GetStatisticsAsync()));
            Record("statistics_scope", await TimeAsync(settings, settings.Operations, _ => engine.Scope(ScaleCatalogue.BigScope).GetStatisticsAsync()));

            Record("reconcile", await TimeAsync(settings, settings.Operations, async _ =>
            {
                var before = blobs.Requests;
                await engine.ReconcileAsync();
                reconcileRequests += blobs.Requests - before;
                reconciles++;
            }));
        }

        foreach (var (name, p50s) in samples)
        {
            run.Figures[name] = new Figure(Median(p50s), "ms", counts[name]);
        }

        run.Figures["reconcile_blob_requests"] = new Figure((double)reconcileRequests / reconciles, "requests a run", (int)reconciles);
        run.Figures["bytes_per_original"] = new Figure((double)bytes / originals, "bytes", 1);
        return run;
    }

    private static string Holder(int rep, string kind, int k) => string.Create(CultureInfo.InvariantCulture, $"bench/{rep}/{kind}/{k}");

    /// <summary>A random referenced original (orphans are garbage collection's pool).</summary>
    private static long Pick(Random random, long originals)
    {
        while (true)
        {
            var i = random.NextInt64(1, originals + 1);
            if (!ScaleCatalogue.IsOrphan(i))
            {
                return i;
            }
        }
    }

    /// <summary>
    /// Times up to <paramref name="count"/> operations one after another and returns their p50 in
    /// ms; stops early (after at least five) once the budget is spent, so an operation whose cost
    /// grows with the store still finishes — with fewer samples, as the op counts show.
    /// </summary>
    private static async Task<(double P50, int Count)> TimeAsync(ScaleSettings settings, int count, Func<int, Task> operation, Func<Task>? after = null)
    {
        var latencies = new List<double>(count);
        var spent = Stopwatch.StartNew();
        for (var k = 0; k < count && (k < 5 || spent.Elapsed < settings.Budget); k++)
        {
            var one = Stopwatch.StartNew();
            await operation(k);
            latencies.Add(one.Elapsed.TotalMilliseconds);
            if (after is not null)
            {
                await after();
            }
        }

        return (Median(latencies), latencies.Count);
    }

    private static double Median(List<double> values)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
