using System.Diagnostics;
using System.Globalization;
using ImageDedup.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace ImageDedup.Scale;

/// <summary>One measured figure: a p50 latency in ms (median over the repetitions), or a size.</summary>
internal sealed record Figure(double Value, string Unit, int Operations);

/// <summary>
/// One populated catalogue and every figure measured on it. The two sizes are measured in turns, one
/// repetition each (<see cref="MeasureRepetitionAsync"/>), so whatever else the machine does in the
/// meantime falls on both alike and leaves the ratios alone.
/// </summary>
internal sealed class ScaleRun : IAsyncDisposable
{
    private readonly ScaleCatalogue _catalogue;
    private readonly ServiceProvider _provider;
    private readonly CountingBlobStore _blobs;
    private readonly IImageDedup _engine;
    private readonly IReferenceStore _store;
    private readonly Dictionary<string, List<double>> _samples = [];
    private readonly Dictionary<string, int> _counts = [];
    private long _reconcileRequests;
    private long _reconciles;
    private long _bytes;

    private ScaleRun(ScaleCatalogue catalogue, long originals)
    {
        _catalogue = catalogue;
        Originals = originals;
        _blobs = new CountingBlobStore();
        var services = new ServiceCollection();
        var builder = services.AddImageDedup(o => o.AllowAnyContent = true);
        catalogue.Configure(builder);
        services.AddSingleton<IBlobStore>(_blobs);
        _provider = services.BuildServiceProvider();
        _engine = _provider.GetRequiredService<IImageDedup>();
        _store = _provider.GetRequiredService<IReferenceStore>();
    }

    public long Originals { get; }

    public long References { get; private set; }

    public double PopulateSeconds { get; private set; }

    public Dictionary<string, Figure> Figures { get; } = [];

    /// <summary>A new catalogue of <paramref name="originals"/> originals, populated and ready to measure.</summary>
    public static async Task<ScaleRun> PopulateAsync(ScaleCatalogue catalogue, long originals)
    {
        var run = new ScaleRun(catalogue, originals);
        var clock = Stopwatch.StartNew();
        await catalogue.PopulateAsync(run._store, originals);
        run.PopulateSeconds = clock.Elapsed.TotalSeconds;
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"scale: {catalogue.Name}: {originals:N0} originals populated in {run.PopulateSeconds:0.0} s"));
        run._bytes = await catalogue.BytesAsync();
        run.References = (long)(await run._engine.GetStatisticsAsync()).References;
        return run;
    }

    /// <summary>Measures every operation once more (repetition <paramref name="rep"/>).</summary>
    public async Task MeasureRepetitionAsync(int rep, ScaleSettings settings)
    {
        var engine = _engine;
        var catalogue = _catalogue;
        var random = new Random(rep + 1);
        var picked = Enumerable.Range(0, settings.Operations).Select(_ => Pick(random, Originals)).ToList();
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
            if ((await _store.ClaimOrphansAsync(null, TimeSpan.Zero, 100)).Count == 0)
            {
                throw new InvalidOperationException("garbage collection found no orphan to claim");
            }
        }, after: catalogue.UnclaimAsync));

        Record("statistics_global", await TimeAsync(settings, settings.Operations, _ => engine.GetStatisticsAsync()));
        Record("statistics_scope", await TimeAsync(settings, settings.Operations, _ => engine.Scope(ScaleCatalogue.BigScope).GetStatisticsAsync()));

        Record("reconcile", await TimeAsync(settings, settings.Operations, async _ =>
        {
            var before = _blobs.Requests;
            await engine.ReconcileAsync();
            _reconcileRequests += _blobs.Requests - before;
            _reconciles++;
        }));
    }

    /// <summary>The figures over every repetition measured.</summary>
    public void Summarise()
    {
        foreach (var (name, p50s) in _samples)
        {
            Figures[name] = new Figure(Median(p50s), "ms", _counts[name]);
        }

        Figures["reconcile_blob_requests"] = new Figure((double)_reconcileRequests / _reconciles, "requests a run", (int)_reconciles);
        Figures["bytes_per_original"] = new Figure((double)_bytes / Originals, "bytes", 1);
    }

    public async ValueTask DisposeAsync()
    {
        await _provider.DisposeAsync();
        await _catalogue.DisposeAsync();
    }

    private void Record(string name, (double P50, int Count) measured)
    {
        (_samples.TryGetValue(name, out var list) ? list : _samples[name] = []).Add(measured.P50);
        _counts[name] = measured.Count;
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
