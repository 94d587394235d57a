using BenchmarkDotNet.Attributes;
using ImageDedup.Benchmarks.Content;
using ImageDedup.Benchmarks.Ingest;

namespace ImageDedup.Benchmarks.References;

/// <summary>
/// Adding and releasing a named reference on SQLite, through the engine, against the raw one-row
/// UPDATE on the same database file (<see cref="OneRowUpdate"/>). The original keeps one reference
/// of its own throughout, so a release never deletes it.
/// </summary>
/// <remarks>
/// Each add needs a holder not yet added and each release one that is; an iteration is a fixed
/// number of invocations so the untimed setup can prepare exactly that many.
/// </remarks>
[MemoryDiagnoser]
[InvocationCount(OperationsPerIteration)]
[OperationsPerSecond]
public class ReferenceBenchmarks
{
    public const int OperationsPerIteration = 32;

    private readonly Queue<string> _toAdd = new();
    private readonly Queue<string> _toRelease = new();
    private readonly List<string> _added = [];
    private ScratchDirectory? _scratch;
    private EngineOnDisk? _store;
    private OneRowUpdate? _raw;
    private Guid _original;
    private long _counter;

    [GlobalSetup]
    public async Task Setup()
    {
        _scratch = new ScratchDirectory("refs");
        _store = new EngineOnDisk(_scratch);
        using var content = new MemoryStream(ImageBytes.Create(64 * 1024));
        _original = (await _store.Engine.DefaultScope.IngestAsync(content, new IngestRequest { Holder = "bench/keeper" })).Original.Id;
        _raw = await OneRowUpdate.OpenAsync(_store.ConnectionString);
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        if (_raw is not null)
        {
            await _raw.DisposeAsync();
        }

        _store?.Dispose();
        _scratch?.Dispose();
    }

    [IterationSetup(Target = nameof(AddReference))]
    public void NewHolders()
    {
        _toAdd.Clear();
        for (var i = 0; i < OperationsPerIteration; i++)
        {
            _toAdd.Enqueue(NextHolder());
        }
    }

    [IterationCleanup(Target = nameof(AddReference))]
    public void ReleaseAdded()
    {
        // Keeps the table the same size from iteration to iteration.
        foreach (var holder in _added)
        {
            _store!.Engine.DefaultScope.ReleaseAsync(holder).GetAwaiter().GetResult();
        }

        _added.Clear();
    }

    [IterationSetup(Target = nameof(Release))]
    public void AddedHolders()
    {
        while (_toRelease.Count < OperationsPerIteration)
        {
            var holder = NextHolder();
            _store!.Engine.DefaultScope.AddReferenceAsync(_original, holder).GetAwaiter().GetResult();
            _toRelease.Enqueue(holder);
        }
    }

    [Benchmark(Baseline = true)]
    public Task RawUpdate() => _raw!.RunAsync();

    [Benchmark]
    public async Task<ReferenceResult> AddReference()
    {
        var holder = _toAdd.Dequeue();
        var result = await _store!.Engine.DefaultScope.AddReferenceAsync(_original, holder);
        _added.Add(holder);
        return result;
    }

    [Benchmark]
    public async Task<ReleaseResult> Release()
    {
        var result = await _store!.Engine.DefaultScope.ReleaseAsync(_toRelease.Dequeue());
        return result.Released ? result : throw new InvalidOperationException("The holder had no reference to release.");
    }

    private string NextHolder() => $"bench/holder/{++_counter}";
}
