using System.Buffers.Binary;

namespace ImageDedup.Ingest.Structure;

/// <summary>
/// WebP: the RIFF header's size, which covers every chunk of the file (VP8, VP8L, VP8X, ANIM/ANMF
/// frames, ICCP, EXIF, XMP). Bytes after the RIFF size are accepted.
/// </summary>
internal sealed class WebPWalker : StructureWalker
{
    public WebPWalker() => Expect(12);

    protected override string CompleteDetail => "WebP RIFF size satisfied";

    protected override void OnField(ReadOnlySpan<byte> field)
    {
        Require(8L + BinaryPrimitives.ReadUInt32LittleEndian(field[4..]), "the WebP RIFF container");
        Finished();
    }

    protected override string? Incomplete(bool atBoundary) => "the WebP RIFF header is cut short";
}
