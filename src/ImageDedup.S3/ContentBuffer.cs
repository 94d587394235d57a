using System.Buffers;
using System.Security.Cryptography;

namespace ImageDedup.S3;

/// <summary>
/// One request body read from the content stream into a pooled array: seekable, so the SDK can
/// resend it after a transient failure, and hashed, so the request carries its own SHA-256.
/// The array goes back to the pool only after a successful request; after a failure it is left
/// to the garbage collector, in case the HTTP stack still touches it.
/// </summary>
internal sealed class ContentBuffer : IDisposable
{
    private byte[]? _array;
    private bool _returnToPool;

    public ContentBuffer(long capacity) => _array = ArrayPool<byte>.Shared.Rent(checked((int)Math.Max(capacity, 1)));

    /// <summary>How many bytes the buffer holds.</summary>
    public int Length { get; private set; }

    private byte[] Array => _array ?? throw new ObjectDisposedException(nameof(ContentBuffer));

    /// <summary>
    /// Reads exactly <paramref name="count"/> bytes. The content ending earlier means it is shorter
    /// than declared: <see cref="ContentIntegrityException"/>.
    /// </summary>
    /// <param name="content">The caller's stream, read from its current position and never disposed.</param>
    /// <param name="count">How many bytes to read.</param>
    /// <param name="offset">How many bytes of the content came before, for the message.</param>
    /// <param name="declared">The declared length of the whole content, for the message.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async Task FillAsync(Stream content, int count, long offset, long declared, CancellationToken cancellationToken)
    {
        var array = Array;
        Length = 0;
        while (Length < count)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var read = await content.ReadAsync(array.AsMemory(Length, count - Length), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new ContentIntegrityException($"The content ended after {offset + Length} bytes; {declared} were declared.");
            }

            Length += read;
        }

        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>A read-only, seekable view of the bytes held. Disposing it leaves the buffer alone.</summary>
    public MemoryStream OpenRead() => new(Array, 0, Length, writable: false);

    /// <summary>The SHA-256 of the bytes held.</summary>
    public byte[] Sha256() => SHA256.HashData(Array.AsSpan(0, Length));

    /// <summary>Marks the bytes as no longer needed by any request, so the array can be pooled again.</summary>
    public void Release() => _returnToPool = true;

    public void Dispose()
    {
        var array = _array;
        _array = null;
        if (array is not null && _returnToPool)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }

    /// <summary>
    /// Throws <see cref="ContentIntegrityException"/> when the content holds more than the
    /// <paramref name="declared"/> bytes already read.
    /// </summary>
    public static async Task EnsureEndedAsync(Stream content, long declared, CancellationToken cancellationToken)
    {
        var probe = new byte[1];
        if (await content.ReadAsync(probe, cancellationToken).ConfigureAwait(false) != 0)
        {
            throw new ContentIntegrityException($"The content is longer than the {declared} bytes declared.");
        }
    }
}
