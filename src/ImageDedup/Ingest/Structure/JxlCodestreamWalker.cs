namespace ImageDedup.Ingest.Structure;

/// <summary>
/// A bare JPEG XL codestream (0xFF0A) carries no length of itself: where it ends is known only
/// from the frame headers and their table of contents, bit-packed behind an image header whose
/// ICC profile may be entropy-coded — a decoder's job. Nothing is checked beyond the signature
/// (the JPEG XL container, by contrast, is checked box by box).
/// </summary>
internal sealed class JxlCodestreamWalker : StructureWalker
{
    public JxlCodestreamWalker() => GiveUp("a bare JPEG XL codestream has no lengths to check without decoding it");

    protected override string CompleteDetail => string.Empty;

    protected override void OnField(ReadOnlySpan<byte> field)
    {
    }

    protected override string? Incomplete(bool atBoundary) => null;
}
