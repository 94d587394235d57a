using System.Buffers.Binary;

namespace ImageDedup.Ingest.Structure;

/// <summary>
/// ICO: the icon directory, and for every entry the image it points at (offset + size), which may
/// lie anywhere later in the file; the furthest one sets the length the content must reach.
/// </summary>
internal sealed class IcoWalker : StructureWalker
{
    private int _entries = -1;
    private int _read;

    public IcoWalker() => Expect(6);

    protected override string CompleteDetail => "ICO directory and every image it points at present";

    protected override void OnField(ReadOnlySpan<byte> field)
    {
        if (_entries < 0)
        {
            _entries = BinaryPrimitives.ReadUInt16LittleEndian(field[4..]);
            Require(6 + (16L * _entries), "the ICO directory");
        }
        else
        {
            _read++;
            var size = BinaryPrimitives.ReadUInt32LittleEndian(field[8..]);
            var offset = BinaryPrimitives.ReadUInt32LittleEndian(field[12..]);
            Require((long)offset + size, "an image of the ICO directory");
        }

        if (_read == _entries)
        {
            Finished();
        }
        else
        {
            Expect(16);
        }
    }

    protected override string? Incomplete(bool atBoundary)
        => _entries < 0 ? "the ICO header is cut short" : $"the ICO directory of {_entries} entries is cut short";
}
