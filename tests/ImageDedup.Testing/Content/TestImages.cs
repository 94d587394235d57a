using System.Buffers.Binary;
using System.Security.Cryptography;

namespace ImageDedup.Testing.Content;

/// <summary>
/// Image-shaped test contents of any length: a real format signature and a well-formed structure
/// (the engine refuses images whose structure is cut short) around deterministic or random bytes.
/// They are not decodable pictures; the engine does not decode.
/// </summary>
public static class TestImages
{
    /// <summary>The shortest content <see cref="Png"/> and <see cref="Jpeg"/> can give a complete structure.</summary>
    public const int MinimumWholeLength = 32;

    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly byte[] PngEnd = [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82];

    // SOI, a JFIF APP0 segment, and a one-component SOS header; the entropy-coded data and EOI follow.
    private static readonly byte[] JpegStart =
    [
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
        0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00,
    ];

    /// <summary>
    /// A PNG of <paramref name="length"/> bytes: the signature, one private ancillary chunk of bytes
    /// derived from <paramref name="seed"/>, and IEND. Below <see cref="MinimumWholeLength"/> bytes
    /// (only for digests, never ingested) the signature is followed by the random bytes alone.
    /// </summary>
    public static byte[] Png(int seed, int length = 4096)
    {
        var bytes = Signed(PngSignature, seed, length);
        if (length >= MinimumWholeLength)
        {
            var data = length - PngSignature.Length - 12 - PngEnd.Length;
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), data);
            "raNd"u8.CopyTo(bytes.AsSpan(12));
            PngEnd.CopyTo(bytes, length - PngEnd.Length);
        }

        return bytes;
    }

    /// <summary>
    /// A baseline-shaped JPEG of <paramref name="length"/> bytes (at least <see cref="MinimumWholeLength"/>):
    /// SOI, JFIF APP0, SOS, entropy-coded bytes derived from <paramref name="seed"/> (no 0xFF among
    /// them), and EOI.
    /// </summary>
    public static byte[] Jpeg(int seed, int length = 4096)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, MinimumWholeLength);
        var bytes = Signed(JpegStart, seed, length);
        bytes.AsSpan(JpegStart.Length, length - JpegStart.Length - 2).Replace((byte)0xFF, (byte)0xFE);
        bytes[^2] = 0xFF;
        bytes[^1] = 0xD9;
        return bytes;
    }

    /// <summary>A PNG-signed content with a random tail: unique per call.</summary>
    public static byte[] UniquePng(int length = 4096) => Png(RandomNumberGenerator.GetInt32(int.MaxValue), length);

    /// <summary>Bytes that no image format starts with.</summary>
    public static byte[] NotAnImage(int length = 1024)
    {
        var bytes = new byte[length];
        "%PDF-1.7 this is a document, not an image\n"u8.CopyTo(bytes);
        return bytes;
    }

    /// <summary>The SHA-256 digest of <paramref name="content"/>, computed independently of the library.</summary>
    public static ContentDigest DigestOf(ReadOnlySpan<byte> content) => ContentDigest.FromSha256(SHA256.HashData(content));

    private static byte[] Signed(byte[] signature, int seed, int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, signature.Length);
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        signature.CopyTo(bytes, 0);
        return bytes;
    }
}
