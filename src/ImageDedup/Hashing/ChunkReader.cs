using System.Buffers;
using System.Runtime.CompilerServices;

namespace ImageDedup.Hashing;

/// <summary>
/// Reads a stream in large pooled chunks and always has the next read in flight while the caller
/// works on the current chunk, so hashing on one core overlaps the read on another.
/// </summary>
/// <remarks>
/// Allocation does not grow with input size: the two buffers come from the shared pool, the read
/// is the stream's own (pooled for FileStream) value task, and <see cref="ReadAsync"/> uses the
/// pooling builder.
/// </remarks>
internal sealed class ChunkReader : IAsyncDisposable
{
    private readonly Stream _source;
    private readonly int _chunkSize;
    private byte[] _current;
    private byte[] _next;
    private ValueTask<int> _inflight;
    private bool _hasInflight;
    private bool _ended;

    public ChunkReader(Stream source, int chunkSize)
    {
        _source = source;
        _chunkSize = chunkSize;
        _current = ArrayPool<byte>.Shared.Rent(chunkSize);
        _next = ArrayPool<byte>.Shared.Rent(chunkSize);
    }

    /// <summary>
    /// Returns the next chunk, valid until the next call; empty at the end of the stream. The first
    /// chunk is filled completely (or to the end; for a seekable source, to the length it reports), so it holds the format signature, and a first
    /// chunk shorter than the chunk size means the stream has ended.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ReadOnlyMemory<byte>> ReadAsync(CancellationToken cancellationToken)
    {
        if (_ended)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        int read;
        if (_hasInflight)
        {
            _hasInflight = false;
            read = await _inflight.ConfigureAwait(false);
            (_current, _next) = (_next, _current);
        }
        else
        {
            read = await ReadFirstAsync(cancellationToken).ConfigureAwait(false);
            if (read < _chunkSize)
            {
                _ended = true;
                return _current.AsMemory(0, read);
            }
        }

        if (read == 0)
        {
            _ended = true;
            return ReadOnlyMemory<byte>.Empty;
        }

#pragma warning disable CA2012 // Stored to overlap with the caller's work; awaited exactly once, here or in DisposeAsync.
        _inflight = _source.ReadAsync(_next.AsMemory(0, _chunkSize), cancellationToken);
#pragma warning restore CA2012
        _hasInflight = true;
        return _current.AsMemory(0, read);
    }

    /// <summary>
    /// The first read, which nothing overlaps: the caller needs the first chunk before it can do
    /// anything. A FileStream opened for synchronous I/O (File.OpenRead, the common case) serves
    /// ReadAsync by running the same blocking read on a thread-pool thread, so awaiting it blocks one
    /// thread exactly as long as reading inline does and adds a hop on top; this read is done inline.
    /// Later reads stay asynchronous: they run while the caller hashes.
    /// </summary>
    private ValueTask<int> ReadFirstAsync(CancellationToken cancellationToken)
    {
        var buffer = _current.AsMemory(0, _chunkSize);
        var minimum = FirstReadMinimum();
        if (_source is FileStream { IsAsync: false })
        {
            cancellationToken.ThrowIfCancellationRequested();
            return new ValueTask<int>(_source.ReadAtLeast(buffer.Span, minimum, throwOnEndOfStream: false));
        }

        return _source.ReadAtLeastAsync(buffer, minimum, throwOnEndOfStream: false, cancellationToken);
    }

    /// <summary>
    /// How many bytes the first read must gather: a whole chunk, or, when a seekable source says
    /// less than a chunk is left, just that much. Most images are smaller than a chunk, and a read
    /// that only reports the end costs a second round trip (a thread-pool hop for a FileStream)
    /// that can take as long as hashing 64 KiB.
    /// </summary>
    private int FirstReadMinimum()
    {
        if (_source.CanSeek)
        {
            var remaining = _source.Length - _source.Position;
            if (remaining >= 0 && remaining < _chunkSize)
            {
                return (int)remaining;
            }
        }

        return _chunkSize;
    }

    public async ValueTask DisposeAsync()
    {
        if (_hasInflight)
        {
            // The buffer must not go back to the pool while a read may still write into it.
            _hasInflight = false;
            try
            {
                await _inflight.ConfigureAwait(false);
            }
#pragma warning disable CA1031 // The caller is already failing; this read's outcome no longer matters.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }

        ArrayPool<byte>.Shared.Return(_current);
        ArrayPool<byte>.Shared.Return(_next);
    }
}
