using System.Buffers;
using System.Runtime.CompilerServices;

namespace ImageDedup.Hashing;

/// <summary>
/// Reads a stream in large pooled chunks and always has the next read in flight while the caller
/// works on the current chunk, so hashing on one core overlaps the read on another.
/// </summary>
/// <remarks>
/// <para>
/// The end of the content is a read that returns 0 and nothing else: not a short read, and not
/// what the stream's <see cref="Stream.Length"/> or <see cref="Stream.Position"/> claim. A host's
/// stream can say it seeks while counting only what it has buffered so far (ASP.NET Core's
/// FileBufferingReadStream), or report a length that is stale, wrong or unavailable; trusting
/// any of them stores a truncated original under the digest of the truncated bytes.
/// </para>
/// <para>
/// Allocation does not grow with input size: the two buffers come from the shared pool, the read
/// is the stream's own (pooled for FileStream) value task, and <see cref="ReadAsync"/> uses the
/// pooling builder.
/// </para>
/// </remarks>
internal sealed class ChunkReader : IAsyncDisposable
{
    private readonly Stream _source;
    private readonly int _chunkSize;
    private byte[]? _current;
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
    /// Returns the next chunk, valid until the next call; empty at the end of the stream. Every
    /// chunk is filled completely or up to the read that returned 0, so the first holds the format
    /// signature, a chunk shorter than the chunk size is the last, and a host stream that hands
    /// out a few bytes a read still costs one hash call and one spool write per chunk.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ReadOnlyMemory<byte>> ReadAsync(CancellationToken cancellationToken)
    {
        if (_ended)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        var current = _current ?? throw new InvalidOperationException("The chunk buffer was detached.");
        int read;
        if (_hasInflight)
        {
            _hasInflight = false;
            read = await _inflight.ConfigureAwait(false);
            (_current, _next) = (_next, current);
            current = _current;
        }
        else
        {
            read = await ReadFirstAsync(current, cancellationToken).ConfigureAwait(false);
        }

        if (read < _chunkSize)
        {
            // A fill stops short only at a read that returned 0: nothing follows this chunk.
            _ended = true;
            return current.AsMemory(0, read);
        }

#pragma warning disable CA2012 // Stored to overlap with the caller's work; awaited exactly once, here or in DisposeAsync.
        _inflight = FillAsync(_next.AsMemory(0, _chunkSize), cancellationToken);
#pragma warning restore CA2012
        _hasInflight = true;
        return current.AsMemory(0, read);
    }

    /// <summary>
    /// Hands the buffer of the chunk last returned to the caller, who returns it to
    /// <see cref="ArrayPool{T}.Shared"/>. Only once the stream has ended (no read in flight): a
    /// first chunk that is the whole content is then kept without a copy.
    /// </summary>
    public byte[] DetachCurrent()
    {
        if (!_ended || _hasInflight || _current is null)
        {
            throw new InvalidOperationException("Only the last chunk of an ended stream can be detached.");
        }

        var buffer = _current;
        _current = null;
        return buffer;
    }

    /// <summary>
    /// The first fill, which nothing overlaps: the caller needs the first chunk before it can do
    /// anything. A small image costs one read more than its bytes: the one that finds the end. A
    /// FileStream opened for synchronous I/O (File.OpenRead, the common case) serves ReadAsync by
    /// running the same blocking read on a thread-pool thread, so awaiting it blocks one thread
    /// exactly as long as reading inline does and adds a hop on top; this fill, end-finding read
    /// included, is done inline. Later fills stay asynchronous: they run while the caller hashes.
    /// </summary>
    private ValueTask<int> ReadFirstAsync(byte[] current, CancellationToken cancellationToken)
    {
        var buffer = current.AsMemory(0, _chunkSize);
        if (_source is FileStream { IsAsync: false })
        {
            cancellationToken.ThrowIfCancellationRequested();
            return new ValueTask<int>(_source.ReadAtLeast(buffer.Span, _chunkSize, throwOnEndOfStream: false));
        }

        return FillAsync(buffer, cancellationToken);
    }

    /// <summary>Reads until the buffer is full or a read returns 0 (Stream.ReadAtLeastAsync, without its allocation per call).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> FillAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await _source.ReadAsync(buffer[filled..], cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return filled;
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

        if (_current is not null)
        {
            ArrayPool<byte>.Shared.Return(_current);
            _current = null;
        }

        ArrayPool<byte>.Shared.Return(_next);
    }
}
