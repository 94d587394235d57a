using System.Buffers.Binary;

namespace ImageDedup.Ingest.Structure;

/// <summary>
/// TIFF (classic, 32-bit offsets): the header's first IFD and the IFD chain after it, walked forward
/// only — an IFD placed before bytes already streamed past cannot be read without buffering, so the
/// chain is followed only while each next IFD lies further on. For every IFD that is read: the IFD
/// itself, every tag's out-of-line values, the EXIF/GPS/interoperability IFD pointers, and the image
/// data — the strip or tile with the largest offset plus its byte count — must lie inside the content.
/// </summary>
internal sealed class TiffWalker : StructureWalker
{
    private const ushort StripOffsets = 273;
    private const ushort StripByteCounts = 279;
    private const ushort TileOffsets = 324;
    private const ushort TileByteCounts = 325;

    // Targets an IFD points at, read in file order once the IFD is done.
    private readonly Target[] _targets = new Target[3];
    private bool _little;
    private Phase _phase = Phase.Header;
    private long _ifdStart;
    private int _entriesLeft;
    private int _ifds;
    private ValueArray _offsets;
    private ValueArray _counts;
    private long _nextIfd;
    private int _targetCount;
    private int _targetIndex;
    private uint _element;
    private long _maxOffset;
    private long _maxIndex;
    private bool _offsetsKnown;

    public TiffWalker() => Expect(8);

    private enum Phase
    {
        Header,
        IfdCount,
        Entry,
        NextIfd,
        Offsets,
        Counts,
    }

    private enum TargetKind
    {
        Offsets,
        Counts,
        Ifd,
    }

    protected override string CompleteDetail => $"TIFF IFD chain ({_ifds} read), tag values and image data present";

    protected override void OnField(ReadOnlySpan<byte> field)
    {
        switch (_phase)
        {
            case Phase.Header:
                _little = field[0] == (byte)'I';
                GoToIfd(U32(field[4..]));
                break;
            case Phase.IfdCount:
                _ifds++;
                _entriesLeft = U16(field);
                _offsets = default;
                _counts = default;
                Require(_ifdStart + 2 + (12L * _entriesLeft) + 4, "a TIFF IFD");
                _phase = _entriesLeft == 0 ? Phase.NextIfd : Phase.Entry;
                Expect(_entriesLeft == 0 ? 4 : 12);
                break;
            case Phase.Entry:
                ReadEntry(field);
                _entriesLeft--;
                _phase = _entriesLeft == 0 ? Phase.NextIfd : Phase.Entry;
                Expect(_entriesLeft == 0 ? 4 : 12);
                break;
            case Phase.NextIfd:
                _nextIfd = U32(field);
                PlanTargets();
                break;
            default:
                ReadElement(Element(field, _phase == Phase.Offsets ? _offsets.ElementSize : _counts.ElementSize));
                break;
        }
    }

    protected override string? Incomplete(bool atBoundary) => _phase switch
    {
        Phase.Header => "the TIFF header is cut short",
        Phase.IfdCount or Phase.Entry or Phase.NextIfd => $"the TIFF IFD at byte {_ifdStart} is cut short or missing",
        _ => $"the strip or tile table of TIFF IFD {_ifds} is cut short or missing",
    };

    private void GoToIfd(long offset)
    {
        if (offset < 8 || offset < Position)
        {
            // Behind us (or inside the header): not readable in one forward pass.
            Finished();
            return;
        }

        _ifdStart = offset;
        _phase = Phase.IfdCount;
        Require(offset + 2, "a TIFF IFD");
        Expect(2, skipFirst: offset - Position);
    }

    private void ReadEntry(ReadOnlySpan<byte> entry)
    {
        var tag = U16(entry);
        var type = U16(entry[2..]);
        var count = U32(entry[4..]);
        var valueField = entry.Slice(8, 4);
        var size = TypeSize(type);
        var bytes = size * count;
        if (bytes > 4)
        {
            Require(Add(U32(valueField), bytes), "the values of a TIFF tag");
        }
        else if (tag is 34665 or 34853 or 40965 or 330 && count == 1 && U32(valueField) is var pointer and not 0)
        {
            Require(pointer + 2L, "the EXIF, GPS or interoperability IFD of a TIFF");
        }

        if (tag is StripOffsets or TileOffsets or StripByteCounts or TileByteCounts && size is 2 or 4 && count > 0)
        {
            var array = new ValueArray(count, (int)size, bytes <= 4 ? Position - 4 : U32(valueField), bytes <= 4, U32Raw(valueField));
            if (tag is StripOffsets or TileOffsets)
            {
                _offsets = array;
            }
            else
            {
                _counts = array;
            }
        }
    }

    // After an IFD: pair inline tables at once, then visit what lies ahead in file order.
    private void PlanTargets()
    {
        _targetCount = 0;
        _targetIndex = 0;
        _offsetsKnown = false;
        _maxOffset = -1;
        if (_offsets.Count > 0 && _offsets.Inline)
        {
            for (var i = 0; i < _offsets.Count; i++)
            {
                OfferOffset(InlineElement(_offsets, i), i);
            }

            _offsetsKnown = true;
        }
        else if (_offsets.Count > 0)
        {
            _targets[_targetCount++] = new Target(_offsets.Start, TargetKind.Offsets);
        }

        if (_counts.Count > 0 && _counts.Inline)
        {
            PairInlineCounts();
        }
        else if (_counts.Count > 0)
        {
            _targets[_targetCount++] = new Target(_counts.Start, TargetKind.Counts);
        }

        if (_nextIfd != 0)
        {
            _targets[_targetCount++] = new Target(_nextIfd, TargetKind.Ifd);
        }

        Array.Sort(_targets, 0, _targetCount);
        NextTarget();
    }

    private void NextTarget()
    {
        if (_offsetsKnown && _maxOffset >= 0)
        {
            // Without the byte counts paired, the last strip must at least start inside the content.
            Require(_maxOffset, "the image data of a TIFF");
        }

        while (_targetIndex < _targetCount)
        {
            var target = _targets[_targetIndex++];
            if (target.Start < Position)
            {
                continue;
            }

            switch (target.Kind)
            {
                case TargetKind.Ifd:
                    GoToIfd(target.Start);
                    return;
                case TargetKind.Offsets:
                    _phase = Phase.Offsets;
                    _element = 0;
                    Expect(_offsets.ElementSize, skipFirst: target.Start - Position);
                    return;
                default:
                    _phase = Phase.Counts;
                    _element = 0;
                    Expect(_counts.ElementSize, skipFirst: target.Start - Position);
                    return;
            }
        }

        Finished();
    }

    private void ReadElement(uint value)
    {
        var array = _phase == Phase.Offsets ? _offsets : _counts;
        if (_phase == Phase.Offsets)
        {
            OfferOffset(value, _element);
        }
        else if (_offsetsKnown)
        {
            OfferCount(value, _element);
        }

        _element++;
        if (_element < array.Count)
        {
            Expect(array.ElementSize);
            return;
        }

        if (_phase == Phase.Offsets)
        {
            _offsetsKnown = true;
            PairInlineCounts();
        }

        NextTarget();
    }

    private void PairInlineCounts()
    {
        if (!_offsetsKnown || !_counts.Inline)
        {
            return;
        }

        for (var i = 0; i < _counts.Count; i++)
        {
            OfferCount(InlineElement(_counts, i), i);
        }
    }

    private void OfferOffset(uint offset, long index)
    {
        if (offset > _maxOffset)
        {
            _maxOffset = offset;
            _maxIndex = index;
        }
    }

    private void OfferCount(uint count, long index)
    {
        if (index == _maxIndex && _maxOffset >= 0)
        {
            Require(_maxOffset + count, "the image data of a TIFF");
        }
    }

    private uint InlineElement(ValueArray array, int index)
    {
        Span<byte> raw = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(raw, array.Raw);
        return Element(raw[(index * array.ElementSize)..], array.ElementSize);
    }

    private uint Element(ReadOnlySpan<byte> bytes, int size) => size == 2 ? U16(bytes) : U32(bytes);

    private ushort U16(ReadOnlySpan<byte> b) => _little ? BinaryPrimitives.ReadUInt16LittleEndian(b) : BinaryPrimitives.ReadUInt16BigEndian(b);

    private uint U32(ReadOnlySpan<byte> b) => _little ? BinaryPrimitives.ReadUInt32LittleEndian(b) : BinaryPrimitives.ReadUInt32BigEndian(b);

    private static uint U32Raw(ReadOnlySpan<byte> b) => BinaryPrimitives.ReadUInt32BigEndian(b);

    // Bytes per value of each TIFF 6 field type; unknown types say nothing.
    private static long TypeSize(ushort type) => type switch
    {
        1 or 2 or 6 or 7 => 1,
        3 or 8 => 2,
        4 or 9 or 11 or 13 => 4,
        5 or 10 or 12 => 8,
        _ => 0,
    };

    private readonly record struct ValueArray(uint Count, int ElementSize, long Start, bool Inline, uint Raw);

    private readonly record struct Target(long Start, TargetKind Kind) : IComparable<Target>
    {
        public int CompareTo(Target other) => Start.CompareTo(other.Start);
    }
}
