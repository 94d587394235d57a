using System.Buffers;
using ImageDedup.Storage;

namespace ImageDedup.Ingest;

/// <summary>
/// A read-only view of exactly <c>expectedLength</c> bytes of an inner stream that hashes them as
/// they pass and throws <see cref="ContentIntegrityException"/> when the last byte has been read
/// and the digest differs, or when the inner stream ends early. Readers that stop at the declared
/// length (an S3 upload) see the check as surely as readers that read to the end.
/// </summary>
/// <remarks>
/// Asynchronous readers (the blob stores) do not wait for the hash: bytes are copied into pooled
/// 1 MiB stages that another core hashes, in order, while the reader writes them out, so the
/// second hash of a new upload overlaps its write instead of adding to it. At most
/// <see cref="MaxStagesInFlight"/> stages wait; the last read waits for all of them and verifies.
/// Synchronous reads hash inline after the pipeline has drained.
/// </remarks>
internal sealed class DigestCheckingStream(Stream inner, IContentHash hash, ContentDigest expected, long expectedLength, bool leaveOpen) : Stream
{
    private const int StageSize = 1 << 20;
    private const int MaxStagesInFlight = 4;

    private long _position;
    private bool _verified;
    private byte[]? _stage;
    private int _staged;
    private Task _hashing = Task.CompletedTask;
    private int _inFlight;
    private bool _released;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => expectedLength;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        var wanted = Limit(buffer.Length);
        var read = wanted == 0 ? 0 : inner.Read(buffer[..wanted]);
        DrainSynchronously();
        hash.Append(buffer[..read]);
        _position += read;
        CheckEnd(read);
        if (_position == expectedLength)
        {
            Verify();
        }

        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        var wanted = Limit(buffer.Length);
        var read = wanted == 0 ? 0 : await inner.ReadAsync(buffer[..wanted], cancellationToken).ConfigureAwait(false);
        await StageAsync(buffer[..read]).ConfigureAwait(false);
        _position += read;
        CheckEnd(read);
        if (_position == expectedLength)
        {
            SubmitStage();
            await _hashing.ConfigureAwait(false);
            Verify();
        }

        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        await WaitQuietlyAsync().ConfigureAwait(false);
        Release();
        if (!leaveOpen)
        {
            await inner.DisposeAsync().ConfigureAwait(false);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // The pipeline is CPU work already under way; it must finish before its buffers and
            // the hash are released.
            WaitQuietlyAsync().AsTask().GetAwaiter().GetResult();
            Release();
            if (!leaveOpen)
            {
                inner.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    private int Limit(int requested) => (int)Math.Min(requested, expectedLength - _position);

    private void CheckEnd(int read)
    {
        if (read == 0 && _position < expectedLength)
        {
            throw new ContentIntegrityException($"The content ended after {_position} bytes; {expectedLength} were expected.");
        }
    }

    private async ValueTask StageAsync(ReadOnlyMemory<byte> data)
    {
        while (!data.IsEmpty)
        {
            _stage ??= ArrayPool<byte>.Shared.Rent(StageSize);
            var take = Math.Min(data.Length, StageSize - _staged);
            data.Span[..take].CopyTo(_stage.AsSpan(_staged));
            _staged += take;
            data = data[take..];
            if (_staged == StageSize)
            {
                SubmitStage();
                if (Volatile.Read(ref _inFlight) > MaxStagesInFlight)
                {
                    await _hashing.ConfigureAwait(false);
                }
            }
        }
    }

    private void SubmitStage()
    {
        if (_stage is null || _staged == 0)
        {
            return;
        }

        var stage = _stage;
        var length = _staged;
        _stage = null;
        _staged = 0;
        Interlocked.Increment(ref _inFlight);

        // Continuations on the previous stage keep the hash in byte order and on one thread at a time.
        _hashing = _hashing.ContinueWith(
            _ =>
            {
                try
                {
                    hash.Append(stage.AsSpan(0, length));
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(stage);
                    Interlocked.Decrement(ref _inFlight);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.None,
            TaskScheduler.Default);
    }

    private void DrainSynchronously()
    {
        SubmitStage();
        _hashing.GetAwaiter().GetResult();
    }

    private async ValueTask WaitQuietlyAsync()
    {
        try
        {
            await _hashing.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Disposal must not throw; a failed hash surfaces through Verify.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private void Release()
    {
        if (_released)
        {
            return;
        }

        _released = true;
        if (_stage is not null)
        {
            ArrayPool<byte>.Shared.Return(_stage);
            _stage = null;
        }

        hash.Dispose();
    }

    private void Verify()
    {
        if (_verified)
        {
            return;
        }

        _verified = true;
        var actual = hash.Finish();
        if (actual != expected)
        {
            throw new ContentIntegrityException($"The content hashes to {actual}, not {expected}: it changed or was corrupted.");
        }
    }
}
