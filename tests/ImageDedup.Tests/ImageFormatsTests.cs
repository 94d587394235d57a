using ImageDedup.Ingest;

namespace ImageDedup.Tests;

public class ImageFormatsTests
{
    public static TheoryData<string, byte[]> Signatures => new()
    {
        { "image/jpeg", [0xFF, 0xD8, 0xFF, 0xDB, 0, 0, 0, 0] },
        { "image/png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D] },
        { "image/gif", "GIF89a\x01\x00\x01\x00"u8.ToArray() },
        { "image/gif", "GIF87a\x01\x00\x01\x00"u8.ToArray() },
        { "image/webp", "RIFF\x24\x00\x00\x00WEBPVP8 "u8.ToArray() },
        { "image/bmp", Bmp(40) },
        { "image/bmp", Bmp(124) },
        { "image/tiff", "II*\0\x08\0\0\0"u8.ToArray() },
        { "image/tiff", "MM\0*\0\0\0\x08"u8.ToArray() },
        { "image/x-icon", [0, 0, 1, 0, 1, 0, 16, 16] },
        { "image/heic", Ftyp("heic", "mif1", "heic") },
        { "image/heic", Ftyp("mif1", "mif1", "heic") },
        { "image/heif", Ftyp("mif1", "mif1") },
        { "image/avif", Ftyp("avif", "mif1", "miaf") },
        { "image/avif", Ftyp("mif1", "mif1", "avif") },
        { "image/jxl", [0xFF, 0x0A, 0xFA, 0x7F] },
        { "image/jxl", [0, 0, 0, 0x0C, (byte)'J', (byte)'X', (byte)'L', (byte)' ', 0x0D, 0x0A, 0x87, 0x0A] },
    };

    public static TheoryData<byte[]> NotImages => new()
    {
        "%PDF-1.7"u8.ToArray(),
        "<html>"u8.ToArray(),
        "BM this is text not a bitmap"u8.ToArray(),
        new byte[] { 0, 0, 1, 0, 0, 0 },
        "RIFF\x24\x00\x00\x00WAVEfmt "u8.ToArray(),
        Ftyp("isom", "isom", "mp41"),
        new byte[] { 0xFF, 0xD8 },
        Array.Empty<byte>(),
    };

    [Theory]
    [MemberData(nameof(Signatures))]
    public void Detects_every_supported_format(string contentType, byte[] head)
        => Assert.Equal(contentType, ImageFormats.Detect(head));

    [Theory]
    [MemberData(nameof(NotImages))]
    public void Rejects_other_content(byte[] head) => Assert.Null(ImageFormats.Detect(head));

    private static byte[] Bmp(uint dibHeaderSize)
    {
        var bytes = new byte[54];
        bytes[0] = (byte)'B';
        bytes[1] = (byte)'M';
        BitConverter.GetBytes(dibHeaderSize).CopyTo(bytes, 14);
        return bytes;
    }

    private static byte[] Ftyp(string major, params string[] compatible)
    {
        var size = 16 + (4 * compatible.Length);
        var bytes = new byte[size];
        bytes[3] = (byte)size;
        "ftyp"u8.CopyTo(bytes.AsSpan(4));
        System.Text.Encoding.ASCII.GetBytes(major).CopyTo(bytes, 8);
        for (var i = 0; i < compatible.Length; i++)
        {
            System.Text.Encoding.ASCII.GetBytes(compatible[i]).CopyTo(bytes, 16 + (4 * i));
        }

        return bytes;
    }
}
