using System.Security.Cryptography;

namespace ImageDedup.Testing.Content;

/// <summary>
/// Image-shaped test contents: a real format signature followed by deterministic or random bytes.
/// The engine only sniffs the signature, so these are enough to exercise every path.
/// </summary>
public static class TestImages
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52];
    private static readonly byte[] JpegSignature = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00];

    /// <summary>A PNG-signed content of <paramref name="length"/> bytes whose tail is derived from <paramref name="seed"/>.</summary>
    public static byte[] Png(int seed, int length = 4096) => Signed(PngSignature, seed, length);

    /// <summary>A JPEG-signed content of <paramref name="length"/> bytes whose tail is derived from <paramref name="seed"/>.</summary>
    public static byte[] Jpeg(int seed, int length = 4096) => Signed(JpegSignature, seed, length);

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
