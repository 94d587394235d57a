using System.Buffers.Binary;

namespace ImageDedup.Ingest.Structure;

/// <summary>
/// PNG: the chunk sequence after the signature, by each chunk's length, up to and including IEND
/// and its CRC. Bytes after IEND are padding and accepted. CRCs are not verified: a wrong CRC is
/// damage, not truncation, and checking it would cost a second pass over every byte's worth of CRC work.
/// </summary>
internal sealed class PngWalker : StructureWalker
{
    private const uint Iend = 0x49454E44; // "IEND"
    private bool _inIend;
    private uint _type;
    private long _chunkStart = -1;
    private uint _length;

    public PngWalker() => Expect(8);

    protected override string CompleteDetail => "PNG chunks complete to IEND";

    protected override void OnField(ReadOnlySpan<byte> field)
    {
        if (_inIend)
        {
            Finished();
            return;
        }

        if (_chunkStart < 0)
        {
            // The signature, already recognised.
            _chunkStart = Position;
            Expect(8);
            return;
        }

        _chunkStart = Position - 8;
        _length = BinaryPrimitives.ReadUInt32BigEndian(field);
        _type = BinaryPrimitives.ReadUInt32BigEndian(field[4..]);
        if (_length > int.MaxValue)
        {
            GiveUp($"the PNG chunk at byte {_chunkStart} declares {_length} bytes, more than PNG allows");
            return;
        }

        if (_type == Iend)
        {
            _inIend = true;
            Expect(4, skipFirst: _length);
            return;
        }

        Expect(8, skipFirst: _length + 4L);
    }

    protected override string? Incomplete(bool atBoundary)
    {
        var chunkEnd = _chunkStart + 12 + _length;
        return _type != 0 && Position < chunkEnd
            ? $"the PNG chunk {FourCc(_type)} at byte {_chunkStart} declares {_length} data bytes and ends at byte {chunkEnd}"
            : "the PNG chunk sequence has no IEND chunk";
    }
}
