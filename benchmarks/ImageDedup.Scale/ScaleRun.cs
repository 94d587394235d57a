using System.Diagnostics;
using System.Globalization;
using ImageDedup.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace ImageDedup.Scale;

/// <summary>One measured figure: a p50 latency in ms (median over the repetitions), or a size.</summary>
internal sealed record Figure(double Value, string Unit, int Operations);

/// <summary>
/// One populated catalogue and every figure measured on it. The two sizes are measured in turns, one
/// few operations each (<see cref="TimedFigure.InTurnsAsync"/>), so whatever else the machine does in the meantime falls on both
/// alike and leaves the ratios alone.
/// </summary>
internal sealed class ScaleRun : IAsyncDisposable
{
    private readonly ScaleCatalogue _catalogue;
    private readonly ServiceProvider _provider;
    private readonly ServiceProvider _otherProvider;
    private readonly CountingBlobStore _blobs;
    private readonly IImageDedup _engine;
    private readonly IImageDedup _otherEngine;
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
        _provider = Provide(catalogue, _blobs);
        _engine = _provider.GetRequiredService<IImageDedup>();
        _store = _provider.GetRequiredService<IReferenceStore>();
        // A second engine on the same catalogue, with connections of its own: a host's concurrent
        // requests, whose each operation follows another connection's commit.
        _otherProvider = Provide(catalogue, _blobs);
        _otherEngine = _otherProvider.GetRequiredService<IImageDedup>();
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

    /// <summary>
    /// Repetition <paramref name="rep"/> of every figure of this catalogue, in order. The caller
    /// measures each on both sizes in turns (<see cref="TimedFigure.InTurnsAsync"/>) and records it
    /// (<see cref="Record"/>) before asking for the next one, which may depend on it.
    /// </summary>
    public IEnumerable<TimedFigure> TimedFigures(int rep, ScaleSettings settings)
    {
        var engine = _engine;
        var catalogue = _catalogue;
        var random = new Random(rep + 1);
        var picked = Enumerable.Range(0, settings.Operations).Select(_ => Pick(random, Originals)).ToList();
        var added = picked.OrderBy(_ => random.Next()).ToList();
        Dictionary<Guid, string> scopes = [];
        string ScopeOf(long i) => scopes[ScaleCatalogue.IdOf(i)];

        yield return new TimedFigure("attach", picked.Count,
            k => engine.Scope(ScopeOf(picked[k])).IngestAsync(new MemoryStream(ScaleCatalogue.ContentOf(picked[k])), new IngestRequest { Holder = Holder(rep, "ingest", k) }),
            Prepare: async () => scopes = await catalogue.ScopesAsync(picked.Select(ScaleCatalogue.IdOf).ToList()));

        var addCount = 0;
        yield return new TimedFigure("add_reference", added.Count, async k =>
        {
            await engine.Scope(ScopeOf(added[k])).AddReferenceAsync(ScaleCatalogue.IdOf(added[k]), Holder(rep, "add", k));
            addCount = k + 1;
        });
        yield return new TimedFigure("release", addCount, k => engine.Scope(ScopeOf(added[k])).ReleaseAsync(Holder(rep, "add", k)));

        // The two engines take turns: a holder added by one is released by the other, so each
        // operation's connection has to notice the other's commit first.
        yield return new TimedFigure("add_release_in_turns", 2 * added.Count,
            async k =>
            {
                var scope = (k % 2 == 0 ? engine : _otherEngine).Scope(ScopeOf(added[k / 2]));
                if (k % 2 == 0)
                {
                    await scope.AddReferenceAsync(ScaleCatalogue.IdOf(added[k / 2]), Holder(rep, "turns", k / 2));
                }
                else
                {
                    await scope.ReleaseAsync(Holder(rep, "turns", k / 2));
                }
            },
            Finish: async ran =>
            {
                if (ran % 2 == 1)
                {
                    await engine.Scope(ScopeOf(added[ran / 2])).ReleaseAsync(Holder(rep, "turns", ran / 2));
                }
            });

        var prefixes = Enumerable.Range(0, settings.PrefixReleases).Select(j => Holder(rep, "prefix", j) + "/").ToList();
        yield return new TimedFigure("release_prefix_1000", prefixes.Count,
            async k =>
            {
                var released = await engine.Scope(ScaleCatalogue.BigScope).ReleasePrefixAsync(prefixes[k]);
                if (released.ReferencesReleased != 1000)
                {
                    throw new InvalidOperationException($"released {released.ReferencesReleased} of 1000 references under {prefixes[k]}");
                }
            },
            Prepare: async () =>
            {
                foreach (var prefix in prefixes)
                {
                    await catalogue.SeedPrefixAsync(prefix);
                }
            });

        yield return new TimedFigure("gc_claim_batch", settings.Operations,
            async _ =>
            {
                if ((await _store.ClaimOrphansAsync(null, TimeSpan.Zero, 100)).Count == 0)
                {
                    throw new InvalidOperationException("garbage collection found no orphan to claim");
                }
            },
            AfterEach: catalogue.UnclaimAsync);

        yield return new TimedFigure("statistics_global", settings.Operations, _ => engine.GetStatisticsAsync());
        yield return new TimedFigure("statistics_scope", settings.Operations, _ => engine.Scope(ScaleCatalogue.BigScope).GetStatisticsAsync());
        yield return new TimedFigure("reconcile", settings.Operations, async _ =>
        {
            var before = _blobs.Requests;
            await engine.ReconcileAsync();
            _reconcileRequests += _blobs.Requests - before;
            _reconciles++;
        });
    }

    /// <summary>The figures over every repetition measured.</summary>
    public void Summarise()
    {
        foreach (var (name, p50s) in _samples)
        {
            Figures[name] = new Figure(TimedFigure.Median(p50s), "ms", _counts[name]);
        }

        Figures["reconcile_blob_requests"] = new Figure((double)_reconcileRequests / _reconciles, "requests a run", (int)_reconciles);
        Figures["bytes_per_original"] = new Figure((double)_bytes / Originals, "bytes", 1);
    }

    public async ValueTask DisposeAsync()
    {
        await _otherProvider.DisposeAsync();
        await _provider.DisposeAsync();
        await _catalogue.DisposeAsync();
    }

    private static ServiceProvider Provide(ScaleCatalogue catalogue, CountingBlobStore blobs)
    {
        var services = new ServiceCollection();
        var builder = services.AddImageDedup(o => o.AllowAnyContent = true);
        catalogue.Configure(builder);
        services.AddSingleton<IBlobStore>(blobs);
        return services.BuildServiceProvider();
    }

    /// <summary>One repetition's p50 of a figure.</summary>
    public void Record(string name, (double P50, int Count) measured)
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
}
