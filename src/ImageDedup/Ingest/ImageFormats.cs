using System.Buffers.Binary;

namespace ImageDedup.Ingest;

/// <summary>Recognises image formats by their leading bytes.</summary>
internal static class ImageFormats
{
    /// <summary>How many leading bytes <see cref="Detect"/> wants to see (fewer only at the end of the content).</summary>
    public const int SignatureWindow = 64;

    /// <summary>Returns the content type of the image format the bytes start with, or null.</summary>
    public static string? Detect(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return "image/jpeg";
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return "image/png";
        }

        if (head.StartsWith("GIF87a"u8) || head.StartsWith("GIF89a"u8))
        {
            return "image/gif";
        }

        if (head.Length >= 12 && head.StartsWith("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8))
        {
            return "image/webp";
        }

        if (head.StartsWith("II*\0"u8) || head.StartsWith("MM\0*"u8))
        {
            return "image/tiff";
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0x0A])
            || head.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0x00, 0x0C, (byte)'J', (byte)'X', (byte)'L', (byte)' ', 0x0D, 0x0A, 0x87, 0x0A]))
        {
            return "image/jxl";
        }

        if (IsBmp(head))
        {
            return "image/bmp";
        }

        if (IsIco(head))
        {
            return "image/x-icon";
        }

        return DetectIsoBmff(head);
    }

    // "BM" alone is too weak; the DIB header that follows has one of a few known sizes.
    private static bool IsBmp(ReadOnlySpan<byte> head)
    {
        if (head.Length < 18 || head[0] != (byte)'B' || head[1] != (byte)'M')
        {
            return false;
        }

        var dibHeaderSize = BinaryPrimitives.ReadUInt32LittleEndian(head[14..]);
        return dibHeaderSize is 12 or 16 or 40 or 52 or 56 or 64 or 108 or 124;
    }

    // Reserved 0, type 1 (icon), and at least one image.
    private static bool IsIco(ReadOnlySpan<byte> head)
        => head.Length >= 6
           && head[0] == 0 && head[1] == 0 && head[2] == 1 && head[3] == 0
           && BinaryPrimitives.ReadUInt16LittleEndian(head[4..]) > 0;

    // HEIC, HEIF and AVIF are ISO base media files: an 'ftyp' box whose major or compatible
    // brands name the image flavour.
    private static string? DetectIsoBmff(ReadOnlySpan<byte> head)
    {
        if (head.Length < 16 || !head[4..8].SequenceEqual("ftyp"u8))
        {
            return null;
        }

        var boxSize = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(head), (uint)head.Length);
        if (boxSize < 16)
        {
            return null;
        }

        bool heic = false, heif = false;
        for (var offset = 8; offset + 4 <= boxSize; offset += offset == 8 ? 8 : 4)
        {
            // Offset 8 is the major brand; 12 is the minor version; compatible brands follow from 16.
            var brand = head.Slice(offset, 4);
            if (brand.SequenceEqual("avif"u8) || brand.SequenceEqual("avis"u8))
            {
                return "image/avif";
            }

            if (brand.SequenceEqual("heic"u8) || brand.SequenceEqual("heix"u8) || brand.SequenceEqual("heim"u8)
                || brand.SequenceEqual("heis"u8) || brand.SequenceEqual("hevc"u8) || brand.SequenceEqual("hevx"u8))
            {
                heic = true;
            }
            else if (brand.SequenceEqual("mif1"u8) || brand.SequenceEqual("msf1"u8))
            {
                heif = true;
            }
        }

        return heic ? "image/heic" : heif ? "image/heif" : null;
    }
}
