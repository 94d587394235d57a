namespace ImageDedup.Shared;

/// <summary>
/// Runs a piece of catch-up work in the background, once per instance: the relational stores' count of
/// the originals that existed before an upgrade to statistics counters. <see cref="Start"/> never
/// waits; a run already under way or finished is not started again, a failed one is retried by the next
/// <see cref="Start"/>. The work must log its own failures: a background run has no caller to throw to.
/// Linked (source) into the relational providers like <see cref="OnceGate"/>.
/// </summary>
#pragma warning disable CA1001 // The token source is cancelled by Stop, never disposed: a run may outlive its owner's disposal and still read the token.
internal sealed class BackgroundRun
#pragma warning restore CA1001
{
    private readonly Func<CancellationToken, Task> _run;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();
    private Task? _current;

    public BackgroundRun(Func<CancellationToken, Task> run) => _run = run;

    /// <summary>Starts the work unless it is running, has succeeded, or <see cref="Stop"/> was called.</summary>
    public void Start()
    {
        lock (_lock)
        {
            if (_stopping.IsCancellationRequested || (_current is not null && !_current.IsFaulted && !_current.IsCanceled))
            {
                return;
            }

            var token = _stopping.Token;
            _current = Task.Run(() => _run(token), token);
        }
    }

    /// <summary>Asks a run under way to stop (it ends at its next cancellation check) and starts no other.</summary>
    public void Stop()
    {
        // Cancelled, never disposed: the run may still be reading the token.
        lock (_lock)
        {
            _stopping.Cancel();
        }
    }
}
