using System.Reflection;
using ImageDedup.Storage;

namespace ImageDedup.Testing.Engine;

/// <summary>
/// Wraps a real store so that one chosen method fails: a database or blob store that fails
/// half-way. Everything else reaches the real store, so what is left behind is real.
/// </summary>
public class StoreFaults : DispatchProxy
{
    private object _inner = null!;
    private string _failing = string.Empty;
    private int _remainingSuccesses;

    /// <summary>Calls that reached the wrapped store, by method name.</summary>
    public Dictionary<string, int> Calls { get; } = [];

    /// <summary>
    /// Wraps a reference store; <paramref name="failing"/> throws after <paramref name="successesFirst"/> good calls.
    /// A store that can take content down (<see cref="ITakedownStore"/>) stays one.
    /// </summary>
    public static IReferenceStore Wrap(IReferenceStore inner, string failing, int successesFirst = 0)
        => inner is ITakedownStore takedown ? Wrap<ITakedownStore>(takedown, failing, successesFirst) : Wrap<IReferenceStore>(inner, failing, successesFirst);

    /// <summary>Wraps a blob store; <paramref name="failing"/> throws after <paramref name="successesFirst"/> good calls.</summary>
    public static IBlobStore Wrap(IBlobStore inner, string failing, int successesFirst = 0)
        => Wrap<IBlobStore>(inner, failing, successesFirst);

    /// <summary>Wraps a reference store and counts calls without failing any.</summary>
    public static (IReferenceStore Store, StoreFaults Probe) Count(IReferenceStore inner)
    {
        var store = Wrap(inner, string.Empty, 0);
        return (store, (StoreFaults)(object)store);
    }

    /// <summary>Wraps a blob store and counts calls without failing any.</summary>
    public static (IBlobStore Store, StoreFaults Probe) Count(IBlobStore inner)
    {
        var store = Wrap<IBlobStore>(inner, string.Empty, 0);
        return (store, (StoreFaults)(object)store);
    }

    private static T Wrap<T>(T inner, string failing, int successesFirst)
        where T : class
    {
        var proxy = Create<T, StoreFaults>();
        var faults = (StoreFaults)(object)proxy;
        faults._inner = inner;
        faults._failing = failing;
        faults._remainingSuccesses = successesFirst;
        return proxy;
    }

    /// <inheritdoc/>
    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        lock (Calls)
        {
            Calls[targetMethod.Name] = Calls.GetValueOrDefault(targetMethod.Name) + 1;
        }

        if (targetMethod.Name == _failing && Interlocked.Decrement(ref _remainingSuccesses) < 0)
        {
            if (targetMethod.Name is nameof(IBlobStore.WriteAsync) or nameof(IBlobStore.WriteWithoutFlushAsync) && args is [string, Stream content, BlobMetadata metadata, CancellationToken token])
            {
                // Fail half-way through the bytes, inside the real store's write.
                args[1] = new HalfwayFailingStream(content, metadata.Length / 2);
                _ = token;
            }
            else
            {
                var fault = new IOException($"Injected failure in {targetMethod.Name}.");
                return targetMethod.ReturnType == typeof(Task) ? Task.FromException(fault)
                    : typeof(Task).IsAssignableFrom(targetMethod.ReturnType)
                        ? typeof(Task).GetMethod(nameof(Task.FromException), 1, [typeof(Exception)])!
                            .MakeGenericMethod(targetMethod.ReturnType.GetGenericArguments()[0]).Invoke(null, [fault])
                        : throw fault;
            }
        }

        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            throw ex.InnerException;
        }
    }

    private sealed class HalfwayFailingStream(Stream inner, long failAt) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_position >= failAt)
            {
                throw new IOException("The blob store connection dropped half-way (injected).");
            }

            var n = inner.Read(buffer[..(int)Math.Min(buffer.Length, failAt - _position)]);
            _position += n;
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position >= failAt)
            {
                throw new IOException("The blob store connection dropped half-way (injected).");
            }

            var n = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, failAt - _position)], cancellationToken);
            _position += n;
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
