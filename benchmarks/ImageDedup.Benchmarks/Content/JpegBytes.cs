namespace ImageDedup.Benchmarks.Content;

/// <summary>
/// A JPEG-shaped content: SOI, JFIF APP0, SOS, random entropy-coded bytes with every 0xFF stuffed
/// as 0xFF00 (so 0xFF turns up as often as in a real photo's scan data), and EOI — the structure
/// check's worst case, since it must look at every byte of the scan for a marker.
/// </summary>
public static class JpegBytes
{
    private static ReadOnlySpan<byte> Start =>
    [
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
        0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00,
    ];

    public static byte[] Create(int length, int seed = 42)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        Start.CopyTo(bytes);
        for (var i = Start.Length; i < length - 3; i++)
        {
            if (bytes[i] == 0xFF)
            {
                bytes[++i] = 0x00;
            }
        }

        bytes[^3] = 0x00;
        bytes[^2] = 0xFF;
        bytes[^1] = 0xD9;
        return bytes;
    }
}
