namespace ImageDedup.Shared;

/// <summary>
/// Runs a piece of start-up work once per instance — a store's schema migration, the engine's
/// ownership claim: concurrent callers share one run, and a failed or cancelled run is retried by the
/// next caller. Linked (source) into the relational providers and the engine, which reference no common
/// implementation assembly.
/// </summary>
internal sealed class OnceGate
{
    private readonly Func<CancellationToken, Task> _run;
    private readonly Lock _lock = new();
    private Task? _current;

    public OnceGate(Func<CancellationToken, Task> run) => _run = run;

    /// <summary>
    /// Starts the run if none succeeded or is under way, and waits for it. The shared run takes no
    /// caller's token, so one caller giving up does not fail the others; each token only stops its own wait.
    /// </summary>
    public Task EnsureAsync(CancellationToken cancellationToken)
    {
        Task run;
        lock (_lock)
        {
            if (_current is null || _current.IsFaulted || _current.IsCanceled)
            {
                _current = _run(CancellationToken.None);
            }

            run = _current;
        }

        return run.IsCompletedSuccessfully ? Task.CompletedTask : run.WaitAsync(cancellationToken);
    }
}
