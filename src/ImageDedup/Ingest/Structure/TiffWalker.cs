using System.Buffers.Binary;

namespace ImageDedup.Ingest.Structure;

/// <summary>
/// TIFF (classic, 32-bit offsets): the IFDs — the first one, the chain after it and the EXIF, GPS
/// and interoperability IFDs they point at — walked forward only: an IFD or table placed before
/// bytes already streamed past cannot be read without buffering, so it is skipped (its tag's value
/// range is still required). For every IFD that is read, the IFD itself, every tag's out-of-line
/// values and the image data (the strip or tile with the largest offset, plus its byte count) must
/// lie inside the content. A byte-count table placed before its offsets table (libtiff's order)
/// cannot be paired index by index in constant memory: its last count is used when the largest
/// offset is the last strip's (strips in file order), else its smallest count, a lower bound. At most <see cref="MaxPending"/> IFDs and tables wait to be read at once.
/// </summary>
internal sealed class TiffWalker : StructureWalker
{
    private const int MaxPending = 16;
    private const ushort StripOffsets = 273;
    private const ushort StripByteCounts = 279;
    private const ushort TileOffsets = 324;
    private const ushort TileByteCounts = 325;

    private readonly Target[] _pending = new Target[MaxPending];
    private int _pendingCount;
    private bool _little;
    private Phase _phase = Phase.Header;
    private long _ifdStart;
    private int _entriesLeft;
    private int _ifds;
    private ValueArray _offsets;
    private ValueArray _counts;

    // The table being read.
    private Target _table;
    private uint _element;
    private long _maxOffset;
    private long _maxIndex;
    private uint _minCount;
    private uint _lastCount;

    public TiffWalker() => Expect(8);

    private enum Phase
    {
        Header,
        IfdCount,
        Entry,
        NextIfd,
        Table,
    }

    private enum TargetKind
    {
        Ifd,
        Offsets,
        Counts,
    }

    protected override string CompleteDetail => $"TIFF IFDs ({_ifds} read), tag values and image data present";

    protected override void OnField(ReadOnlySpan<byte> field)
    {
        switch (_phase)
        {
            case Phase.Header:
                _little = field[0] == (byte)'I';
                Add(new Target(U32(field[4..]), TargetKind.Ifd));
                NextTarget();
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
                if (U32(field) is var next and not 0)
                {
                    Add(new Target(next, TargetKind.Ifd));
                }

                PlanImageData();
                NextTarget();
                break;
            default:
                ReadElement(_table.ElementSize == 2 ? U16(field) : U32(field));
                break;
        }
    }

    protected override string? Incomplete(bool atBoundary) => _phase switch
    {
        Phase.Header => "the TIFF header is cut short",
        Phase.Table => $"the strip or tile table at byte {_table.Start} is cut short or missing",
        _ => $"the TIFF IFD at byte {_ifdStart} is cut short or missing",
    };

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
        else if (tag is 34665 or 34853 or 40965 && count == 1 && U32(valueField) is var pointer and not 0)
        {
            // The EXIF, GPS and interoperability IFDs: more IFDs to walk.
            Require(pointer + 2L, "the EXIF, GPS or interoperability IFD of a TIFF");
            Add(new Target(pointer, TargetKind.Ifd));
        }

        if (tag is StripOffsets or TileOffsets or StripByteCounts or TileByteCounts && size is 2 or 4 && count > 0)
        {
            var array = new ValueArray(count, (int)size, bytes <= 4 ? -1 : U32(valueField), BinaryPrimitives.ReadUInt32BigEndian(valueField));
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

    // After an IFD: pair the strip or tile tables at once when both are inline, else queue them.
    private void PlanImageData()
    {
        if (_offsets.Count == 0)
        {
            return;
        }

        if (_offsets.Inline)
        {
            long max = -1, index = 0;
            for (var i = 0; i < _offsets.Count; i++)
            {
                if (InlineElement(_offsets, i) is var offset && offset > max)
                {
                    (max, index) = (offset, i);
                }
            }

            Require(max, "the image data of a TIFF");
            if (_counts.Count > index && _counts.Inline)
            {
                Require(max + InlineElement(_counts, (int)index), "the image data of a TIFF");
            }
            else if (_counts.Count > index)
            {
                Add(new Target(_counts.Start, TargetKind.Counts, _counts.Count, _counts.ElementSize, max, index));
            }

            return;
        }

        // Inline counts travel with the offsets table; a counts table is paired when it comes
        // later, and when it comes first (libtiff's order) it leaves its last and smallest count.
        var inlineCounts = _counts.Count > 0 && _counts.Inline ? _counts : default;
        Add(new Target(_offsets.Start, TargetKind.Offsets, _offsets.Count, _offsets.ElementSize, InlineCounts: inlineCounts));
        if (_counts.Count > 0 && !_counts.Inline)
        {
            Add(new Target(_counts.Start, TargetKind.Counts, _counts.Count, _counts.ElementSize));
        }
    }

    private void NextTarget()
    {
        while (_pendingCount > 0)
        {
            var first = 0;
            for (var i = 1; i < _pendingCount; i++)
            {
                if (_pending[i].Start < _pending[first].Start)
                {
                    first = i;
                }
            }

            var target = _pending[first];
            _pending[first] = _pending[--_pendingCount];
            if (target.Start < Position || (target.Kind == TargetKind.Ifd && target.Start < 8))
            {
                continue; // behind us: not readable in one forward pass
            }

            if (target.Kind == TargetKind.Ifd)
            {
                _ifdStart = target.Start;
                _phase = Phase.IfdCount;
                Require(target.Start + 2, "a TIFF IFD");
                Expect(2, skipFirst: target.Start - Position);
            }
            else
            {
                _table = target;
                _phase = Phase.Table;
                _element = 0;
                _maxOffset = -1;
                _maxIndex = 0;
                Expect(target.ElementSize, skipFirst: target.Start - Position);
            }

            return;
        }

        Finished();
    }

    private void ReadElement(uint value)
    {
        if (_table.Kind == TargetKind.Offsets && value > _maxOffset)
        {
            (_maxOffset, _maxIndex) = (value, _element);
        }
        else if (_table.Kind == TargetKind.Counts)
        {
            if (_element == _table.PairIndex && _table.PairOffset >= 0)
            {
                Require(_table.PairOffset + value, "the image data of a TIFF");
            }

            _minCount = _element == 0 ? value : Math.Min(_minCount, value);
            _lastCount = value;
        }

        if (++_element < _table.Count)
        {
            Expect(_table.ElementSize);
            return;
        }

        if (_table.Kind == TargetKind.Offsets)
        {
            Require(_maxOffset, "the image data of a TIFF");
            if (_table.InlineCounts.Count > _maxIndex)
            {
                Require(_maxOffset + InlineElement(_table.InlineCounts, (int)_maxIndex), "the image data of a TIFF");
            }
            else if (_table.CountsRead)
            {
                // Strips in file order end with the last one; otherwise the smallest count is a safe lower bound.
                Require(_maxOffset + (_maxIndex == _table.Count - 1 ? _table.LastCount : _table.MinCount), "the image data of a TIFF");
            }

            // Hand the largest offset to this IFD's counts table, still ahead.
            for (var i = 0; i < _pendingCount; i++)
            {
                if (_pending[i].Kind == TargetKind.Counts && _pending[i].Ifd == _table.Ifd && _pending[i].PairOffset < 0)
                {
                    _pending[i] = _pending[i] with { PairOffset = _maxOffset, PairIndex = _maxIndex };
                }
            }
        }

        else
        {
            // Read before its offsets table: leave what pairing needs to that table, still ahead.
            for (var i = 0; i < _pendingCount; i++)
            {
                if (_pending[i].Kind == TargetKind.Offsets && _pending[i].Ifd == _table.Ifd)
                {
                    _pending[i] = _pending[i] with { CountsRead = true, MinCount = _minCount, LastCount = _lastCount };
                }
            }
        }

        NextTarget();
    }

    private void Add(Target target)
    {
        if (_pendingCount < MaxPending)
        {
            _pending[_pendingCount++] = target with { Ifd = _ifds };
        }
    }

    private uint InlineElement(ValueArray array, int index)
    {
        Span<byte> raw = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(raw, array.Raw);
        return array.ElementSize == 2 ? U16(raw[(index * 2)..]) : U32(raw);
    }

    private ushort U16(ReadOnlySpan<byte> b) => _little ? BinaryPrimitives.ReadUInt16LittleEndian(b) : BinaryPrimitives.ReadUInt16BigEndian(b);

    private uint U32(ReadOnlySpan<byte> b) => _little ? BinaryPrimitives.ReadUInt32LittleEndian(b) : BinaryPrimitives.ReadUInt32BigEndian(b);

    // Bytes per value of each TIFF 6 field type; unknown types say nothing.
    private static long TypeSize(ushort type) => type switch
    {
        1 or 2 or 6 or 7 => 1,
        3 or 8 => 2,
        4 or 9 or 11 or 13 => 4,
        5 or 10 or 12 => 8,
        _ => 0,
    };

    /// <summary>A strip or tile table as its tag gives it: inline (in the 4 value bytes, <see cref="Raw"/>) or at <see cref="Start"/>.</summary>
    private readonly record struct ValueArray(uint Count, int ElementSize, long Start, uint Raw)
    {
        public bool Inline => Start < 0;
    }

    /// <summary>Something ahead to read: an IFD, or a strip/tile table with what is known to pair it.</summary>
    private readonly record struct Target(
        long Start,
        TargetKind Kind,
        uint Count = 0,
        int ElementSize = 0,
        long PairOffset = -1,
        long PairIndex = 0,
        ValueArray InlineCounts = default,
        int Ifd = 0,
        bool CountsRead = false,
        uint MinCount = 0,
        uint LastCount = 0);
}
