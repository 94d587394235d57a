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
    private readonly byte[]? _memory;
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

    public async ValueTask DisposeAsync()
    {
        if (_memory is not null)
        {
            ArrayPool<byte>.Shared.Return(_memory);
        }

        if (_spool is not null)
        {
            await _spool.DisposeAsync().ConfigureAwait(false);
        }
    }
}
