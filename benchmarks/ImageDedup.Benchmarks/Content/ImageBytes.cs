using System.Buffers.Binary;

namespace ImageDedup.Benchmarks.Content;

/// <summary>Content the engine accepts as an image: a PNG signature followed by random bytes.</summary>
public static class ImageBytes
{
    private static ReadOnlySpan<byte> PngSignature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Where <see cref="Stamp"/> writes its counter: past the signature, inside the first chunk.</summary>
    public const int StampOffset = 16;

    public static byte[] Create(int length, int seed = 42)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        PngSignature.CopyTo(bytes);
        return bytes;
    }

    /// <summary>Makes the content unique by writing <paramref name="counter"/> into it.</summary>
    public static void Stamp(Span<byte> bytes, long counter)
        => BinaryPrimitives.WriteInt64LittleEndian(bytes[StampOffset..], counter);
}
