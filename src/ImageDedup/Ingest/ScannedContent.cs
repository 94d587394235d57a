using System.Buffers;
using ImageDedup.Storage;

namespace ImageDedup.Ingest;

/// <summary>
/// Content that has been read once: its digest, length and type, and a way to read the same bytes
/// again for the blob store: the pooled first chunk when it held the whole content, the host's
/// seekable stream rewound, or a spool file.
/// </summary>
internal sealed class ScannedContent : IAsyncDisposable
{
    private readonly Stream? _rewindable;
    private readonly long _start;
    private byte[]? _memory;
    private NativeBytes? _native;
    private readonly FileStream? _spool;

    private ScannedContent(ContentDigest digest, long length, string contentType, Stream? rewindable, long start, byte[]? memory, FileStream? spool)
    {
        Digest = digest;
        Length = length;
        ContentType = contentType;
        _rewindable = rewindable;
        _start = start;
        _memory = memory;
        _spool = spool;
    }

    public ContentDigest Digest { get; }

    public long Length { get; }

    public string ContentType { get; }

    public static ScannedContent FromRewindable(ContentDigest digest, long length, string contentType, Stream source, long start)
        => new(digest, length, contentType, source, start, null, null);

    public static ScannedContent FromMemory(ContentDigest digest, long length, string contentType, byte[] pooled)
        => new(digest, length, contentType, null, 0, pooled, null);

    public static ScannedContent FromSpool(ContentDigest digest, long length, string contentType, FileStream spool)
        => new(digest, length, contentType, null, 0, null, spool);

    /// <summary>
    /// Opens the bytes again, wrapped so that they are re-hashed as the blob store reads them and
    /// the read fails if they are not exactly the bytes that were hashed: a host stream that
    /// changed between the two reads, or that rewinds somewhere else than where it started, can
    /// never be stored under the wrong digest. Rewinding a host stream that refuses to seek
    /// throws that stream's own exception.
    /// </summary>
    public Stream OpenVerified(IContentHasher hasher)
    {
        Stream inner;
        if (_memory is not null)
        {
            inner = new MemoryStream(_memory, 0, (int)Length, writable: false);
        }
        else if (_native is not null)
        {
            return new DigestCheckingStream(_native.OpenRead(), hasher.CreateHash(), Digest, Length, leaveOpen: false);
        }
        else if (_spool is not null)
        {
            _spool.Position = 0;
            inner = _spool;
        }
        else
        {
            _rewindable!.Position = _start;
            inner = _rewindable;
        }

        return new DigestCheckingStream(inner, hasher.CreateHash(), Digest, Length, leaveOpen: true);
    }

    /// <summary>Whether the bytes are read back from the host's stream, which must then stay open until they are written.</summary>
    public bool ReadsBackFromSource => _rewindable is not null;

    /// <summary>The bytes of memory this content holds (0 when it reads back from a stream or spool file).</summary>
    public long HeldBytes => _memory?.Length ?? _native?.Length ?? 0;

    /// <summary>
    /// Moves content held in a pooled chunk into native memory of its own size (<see cref="NativeBytes"/>),
    /// so a batch that keeps many small images waiting for their group commit holds their bytes, not a
    /// chunk each, and gives the garbage collector nothing to copy.
    /// </summary>
    public void Compact()
    {
        if (_memory is not { } chunk || Length > chunk.Length / 2)
        {
            return;
        }

        _native = new NativeBytes(chunk, (int)Length);
        _memory = null;
        ArrayPool<byte>.Shared.Return(chunk);
    }

    /// <summary>
    /// Opens the bytes for a batch's blob write. Content held in the engine's own memory is the very
    /// buffer that was hashed — nothing outside the engine can change it — so it is written as it is;
    /// content read back from the host's stream or a spool file is re-hashed as in <see cref="OpenVerified"/>.
    /// </summary>
    public Stream OpenForWrite(IContentHasher hasher)
        => _memory is not null ? new MemoryStream(_memory, 0, (int)Length, writable: false)
            : _native is not null ? _native.OpenRead()
            : OpenVerified(hasher);

    public async ValueTask DisposeAsync()
    {
        if (_memory is { } memory)
        {
            _memory = null;
            ArrayPool<byte>.Shared.Return(memory);
        }

        _native?.Dispose();

        if (_spool is not null)
        {
            await _spool.DisposeAsync().ConfigureAwait(false);
        }
    }
}
