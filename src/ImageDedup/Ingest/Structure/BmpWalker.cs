using System.Buffers.Binary;

namespace ImageDedup.Ingest.Structure;

/// <summary>
/// BMP: the file size in the file header (when the writer filled it in), the DIB header, and the
/// pixel array — from the pixel offset, rows padded to four bytes times the height for
/// uncompressed pixels, or the header's image size for compressed ones.
/// </summary>
internal sealed class BmpWalker : StructureWalker
{
    private uint _dibSize;
    private uint _pixelOffset;
    private bool _headerRead;

    public BmpWalker() => Expect(18);

    protected override string CompleteDetail => "BMP file size and pixel array present";

    protected override void OnField(ReadOnlySpan<byte> field)
    {
        if (!_headerRead)
        {
            _headerRead = true;
            var fileSize = BinaryPrimitives.ReadUInt32LittleEndian(field[2..]);
            if (fileSize != 0)
            {
                Require(fileSize, "the file size in the BMP header");
            }

            _pixelOffset = BinaryPrimitives.ReadUInt32LittleEndian(field[10..]);
            _dibSize = BinaryPrimitives.ReadUInt32LittleEndian(field[14..]);
            Require(14L + _dibSize, "the BMP's DIB header");
            Expect(_dibSize switch { 12 => 8, 16 => 12, _ => 20 });
            return;
        }

        RequirePixels(field);
        Finished();
    }

    protected override string? Incomplete(bool atBoundary) => "the BMP headers are cut short";

    private void RequirePixels(ReadOnlySpan<byte> dib)
    {
        long width, height, bitsPerPixel;
        uint compression = 0, imageSize = 0;
        if (_dibSize == 12)
        {
            width = BinaryPrimitives.ReadUInt16LittleEndian(dib);
            height = BinaryPrimitives.ReadUInt16LittleEndian(dib[2..]);
            bitsPerPixel = BinaryPrimitives.ReadUInt16LittleEndian(dib[6..]);
        }
        else
        {
            width = BinaryPrimitives.ReadInt32LittleEndian(dib);
            height = Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(dib[4..])); // negative: top-down
            bitsPerPixel = BinaryPrimitives.ReadUInt16LittleEndian(dib[10..]);
            if (_dibSize >= 20)
            {
                compression = BinaryPrimitives.ReadUInt32LittleEndian(dib[12..]);
            }

            if (_dibSize >= 24)
            {
                imageSize = BinaryPrimitives.ReadUInt32LittleEndian(dib[16..]);
            }
        }

        // BI_BITFIELDS and BI_ALPHABITFIELDS store plain rows too, but only in Windows headers; in
        // OS/2 headers (16 and 64 bytes) the same numbers mean Huffman and RLE24.
        var windowsHeader = _dibSize is 40 or 52 or 56 or 108 or 124;
        var uncompressed = compression == 0 || (windowsHeader && compression is 3 or 6);
        if (uncompressed && width > 0 && bitsPerPixel > 0)
        {
            // At most 2^31 × 2^16 bits a row: fits a long, as does the product with a 2^31 height when divided first.
            var stride = ((width * bitsPerPixel) + 31) / 32 * 4;
            var pixels = height == 0 ? 0 : stride > long.MaxValue / height ? long.MaxValue : stride * height;
            Require(Add(_pixelOffset, pixels), "the BMP pixel array");
        }
        else if (!uncompressed && imageSize != 0)
        {
            Require(Add(_pixelOffset, imageSize), "the BMP's compressed pixel data");
        }
    }
}
