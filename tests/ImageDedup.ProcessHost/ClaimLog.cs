using System.Collections.Concurrent;
using System.Reflection;
using ImageDedup.Storage;

namespace ImageDedup.ProcessHost;

/// <summary>Records every original this process claimed for deletion, as the store returned it.</summary>
internal sealed class ClaimLog
{
    private readonly ConcurrentQueue<Guid> _claimed = new();

    public IReadOnlyCollection<Guid> Claimed => _claimed;

    public IReferenceStore Wrap(IReferenceStore inner)
    {
        // A store that can take content down must stay one: reconcile releases the holders of an
        // interrupted purge through that capability.
        var proxy = inner is ITakedownStore ? DispatchProxy.Create<ITakedownStore, Recorder>() : DispatchProxy.Create<IReferenceStore, Recorder>();
        ((Recorder)(object)proxy).Attach(inner, this);
        return proxy;
    }

    private void Record(IEnumerable<Original> claimed)
    {
        foreach (var original in claimed)
        {
            _claimed.Enqueue(original.Id);
        }
    }

    /// <summary>Forwards every call; remembers what <c>ClaimOrphansAsync</c> returned.</summary>
    public class Recorder : DispatchProxy
    {
        private IReferenceStore _inner = null!;
        private ClaimLog _log = null!;

        internal void Attach(IReferenceStore inner, ClaimLog log)
        {
            _inner = inner;
            _log = log;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            object? result;
            try
            {
                result = targetMethod.Invoke(_inner, args);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                throw ex.InnerException;
            }

            if (targetMethod.Name == nameof(IReferenceStore.ClaimOrphansAsync) && result is Task<IReadOnlyList<Original>> claims)
            {
                return RecordAsync(claims);
            }

            return result;
        }

        private async Task<IReadOnlyList<Original>> RecordAsync(Task<IReadOnlyList<Original>> claims)
        {
            var claimed = await claims.ConfigureAwait(false);
            _log.Record(claimed);
            return claimed;
        }
    }
}
