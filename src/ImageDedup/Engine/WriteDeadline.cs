using System.Diagnostics;

namespace ImageDedup.Engine;

/// <summary>
/// The bound an ingest keeps on itself while it stores bytes (<see cref="ImageDedupOptions.IngestWriteTimeout"/>):
/// started before its pending row is inserted, so the row is never older than the engine thinks.
/// Reconcile leaves pending rows alone until they are twice as old, so it never takes the row of
/// an ingest that is still within its bound, whatever grace period it was given.
/// </summary>
internal sealed class WriteDeadline : IDisposable
{
    private readonly CancellationTokenSource _timer;
    private readonly CancellationToken _caller;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly TimeSpan _timeout;

    public WriteDeadline(TimeSpan timeout, CancellationToken caller)
    {
        _timeout = timeout;
        _caller = caller;
        _timer = CancellationTokenSource.CreateLinkedTokenSource(caller);
        _timer.CancelAfter(timeout);
    }

    /// <summary>Cancelled when the caller cancels or the bound is reached.</summary>
    public CancellationToken Token => _timer.Token;

    /// <summary>How far reconcile must let a pending row age before it may remove it.</summary>
    public static TimeSpan ReapAfter(TimeSpan timeout) => timeout * 2;

    /// <summary>Throws <see cref="TimeoutException"/> once the bound is reached, by the clock (the timer may fire late).</summary>
    public void ThrowIfExpired()
    {
        if (Stopwatch.GetElapsedTime(_started) >= _timeout)
        {
            throw Timeout(null);
        }
    }

    /// <summary>The exception to throw instead of <paramref name="failure"/> when it was the bound, not the caller, that stopped the work; else null.</summary>
    public TimeoutException? AsTimeout(Exception failure)
        => failure is OperationCanceledException && _timer.IsCancellationRequested && !_caller.IsCancellationRequested ? Timeout(failure) : null;

    public void Dispose() => _timer.Dispose();

    private TimeoutException Timeout(Exception? inner)
        => new($"Storing the bytes took longer than the ingest write timeout of {_timeout}; nothing was stored.", inner);
}
