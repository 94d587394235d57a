namespace ImageDedup.Shared;

/// <summary>
/// Runs a store's schema migration once per instance: concurrent callers share one run, and a failed
/// or cancelled run is retried by the next caller. Linked into each relational provider like
/// <see cref="ListCursor"/>.
/// </summary>
internal sealed class MigrationGate
{
    private readonly Func<CancellationToken, Task> _migrate;
    private readonly Lock _lock = new();
    private Task? _run;

    public MigrationGate(Func<CancellationToken, Task> migrate) => _migrate = migrate;

    /// <summary>
    /// Starts the run if none succeeded or is under way, and waits for it. The shared run takes no
    /// caller's token, so one caller giving up does not fail the others; each token only stops its own wait.
    /// </summary>
    public Task EnsureAsync(CancellationToken cancellationToken)
    {
        Task run;
        lock (_lock)
        {
            if (_run is null || _run.IsFaulted || _run.IsCanceled)
            {
                _run = _migrate(CancellationToken.None);
            }

            run = _run;
        }

        return run.IsCompletedSuccessfully ? Task.CompletedTask : run.WaitAsync(cancellationToken);
    }
}
