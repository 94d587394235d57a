using System.Buffers.Binary;

namespace ImageDedup.Benchmarks.Content;

/// <summary>
/// Content the engine accepts as an image: a PNG whose one private chunk holds random bytes, with
/// IEND after it, so the structure check walks a whole file.
/// </summary>
public static class ImageBytes
{
    private static ReadOnlySpan<byte> PngSignature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private static ReadOnlySpan<byte> PngEnd => [0, 0, 0, 0, (byte)'I', (byte)'E', (byte)'N', (byte)'D', 0xAE, 0x42, 0x60, 0x82];

    /// <summary>Where <see cref="Stamp"/> writes its counter: past the signature, inside the first chunk.</summary>
    public const int StampOffset = 16;

    public static byte[] Create(int length, int seed = 42)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        PngSignature.CopyTo(bytes);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), length - PngSignature.Length - 12 - PngEnd.Length);
        "raNd"u8.CopyTo(bytes.AsSpan(12));
        PngEnd.CopyTo(bytes.AsSpan(length - PngEnd.Length));
        return bytes;
    }

    /// <summary>Makes the content unique by writing <paramref name="counter"/> into it.</summary>
    public static void Stamp(Span<byte> bytes, long counter)
        => BinaryPrimitives.WriteInt64LittleEndian(bytes[StampOffset..], counter);
}
