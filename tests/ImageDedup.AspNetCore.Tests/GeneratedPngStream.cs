using System.Buffers.Binary;
using System.Security.Cryptography;

namespace ImageDedup.AspNetCore.Tests;

/// <summary>
/// A PNG-shaped content of any length produced as it is read, so a test can upload tens of MiB
/// without holding them (which would swamp the allocation measurement): the signature, one private
/// chunk of seeded bytes, IEND. The same seed and length always give the same bytes.
/// </summary>
public sealed class GeneratedPngStream(int seed, long length) : Stream
{
    private const int Header = 16;
    private static readonly byte[] End = [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82];
    private readonly byte[] _pattern = Pattern(seed);
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    /// <summary>How many bytes have been read so far.</summary>
    public long BytesRead => _position;

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>The digest of the whole content, computed by generating it once more.</summary>
    public static ContentDigest DigestOf(int seed, long length)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var content = new GeneratedPngStream(seed, length);
        var buffer = new byte[1 << 16];
        int read;
        while ((read = content.Read(buffer, 0, buffer.Length)) > 0)
        {
            hash.AppendData(buffer, 0, read);
        }

        return ContentDigest.FromSha256(hash.GetHashAndReset());
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = (int)Math.Min(buffer.Length, length - _position);
        for (var i = 0; i < n; i++)
        {
            buffer[i] = At(_position + i);
        }

        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => Task.FromResult(Read(buffer, offset, count));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private byte At(long p)
    {
        if (p < Header)
        {
            Span<byte> header = stackalloc byte[Header];
            ReadOnlySpan<byte> signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
            signature.CopyTo(header);
            BinaryPrimitives.WriteInt32BigEndian(header[8..], checked((int)(length - Header - 4 - End.Length)));
            "raNd"u8.CopyTo(header[12..]);
            return header[(int)p];
        }

        return p >= length - End.Length ? End[p - (length - End.Length)] : _pattern[p % _pattern.Length];
    }

    private static byte[] Pattern(int seed)
    {
        // A prime length, so the pattern never lines up with a read buffer.
        var pattern = new byte[65521];
        new Random(seed).NextBytes(pattern);
        return pattern;
    }
}
