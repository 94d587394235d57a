using System.Buffers.Binary;

namespace ImageDedup.Ingest.Structure;

/// <summary>Which ISO base media file a <see cref="IsoBmffWalker"/> checks.</summary>
internal enum IsoBmffFlavour
{
    /// <summary>HEIC, HEIF and AVIF: a meta box must be present, and the item data its iloc box points at.</summary>
    Heif,

    /// <summary>The JPEG XL container: a codestream must be present, in one jxlc box or jxlp parts up to the last.</summary>
    JpegXl,
}

/// <summary>
/// ISO base media files: the top-level boxes by their sizes (32-bit, 64-bit largesize, or 0 for
/// "to the end of the file"), so the content must end exactly at a box boundary. For HEIF/AVIF the
/// meta box is walked to its iloc box, and every extent an item keeps in this file (construction
/// method 0) must lie inside the content; for JPEG XL the codestream box must be there.
/// </summary>
internal sealed partial class IsoBmffWalker : StructureWalker
{
    private readonly IsoBmffFlavour _flavour;
    private Level _level = Level.TopHeader;
    private long _boxStart;
    private long _boxEnd;
    private uint _boxType;
    private long _metaEnd;
    private long _childEnd;
    private bool _toEnd;
    private bool _sawPayload;

    public IsoBmffWalker(IsoBmffFlavour flavour)
    {
        _flavour = flavour;
        Expect(8);
    }

    private enum Level
    {
        TopHeader,
        TopLargeSize,
        MetaVersion,
        ChildHeader,
        ChildLargeSize,
        JxlpIndex,
        Iloc,
    }

    protected override string CompleteDetail => _flavour == IsoBmffFlavour.Heif
        ? "ISO-BMFF boxes complete, meta box and the item data its iloc points at present"
        : "JPEG XL container boxes complete with the codestream (the codestream itself is not walked)";

    protected override void OnField(ReadOnlySpan<byte> field)
    {
        switch (_level)
        {
            case Level.TopHeader:
                _boxStart = Position - 8;
                _boxType = BinaryPrimitives.ReadUInt32BigEndian(field[4..]);
                BeginTopBox(BinaryPrimitives.ReadUInt32BigEndian(field), 8);
                break;
            case Level.TopLargeSize:
                BeginTopBox(BinaryPrimitives.ReadUInt64BigEndian(field), 16);
                break;
            case Level.MetaVersion:
                NextChild(Position);
                break;
            case Level.ChildHeader:
                var childStart = Position - 8;
                var childType = BinaryPrimitives.ReadUInt32BigEndian(field[4..]);
                var size = BinaryPrimitives.ReadUInt32BigEndian(field);
                _childEnd = size == 0 ? _metaEnd : Add(childStart, size);
                if (size is > 0 and < 8 || _childEnd > _metaEnd)
                {
                    GiveUp($"the box inside 'meta' at byte {childStart} does not fit its parent");
                }
                else if (size == 1)
                {
                    // A largesize inside meta is legal but unheard of; its children are not walked.
                    NextTop(_metaEnd);
                }
                else if (childType == Iloc)
                {
                    BeginIloc(_childEnd);
                }
                else
                {
                    NextChild(_childEnd);
                }

                break;
            case Level.JxlpIndex:
                if ((BinaryPrimitives.ReadUInt32BigEndian(field) & 0x8000_0000) != 0)
                {
                    _sawPayload = true;
                }

                NextTop(_boxEnd);
                break;
            default:
                OnIlocField(field);
                break;
        }
    }

    protected override int Scan(ReadOnlySpan<byte> data) => data.Length; // inside a box that runs to the end

    protected override string? Incomplete(bool atBoundary)
    {
        if (_toEnd || (atBoundary && _level == Level.TopHeader))
        {
            return _sawPayload ? null
                : _flavour == IsoBmffFlavour.Heif ? "the HEIF/AVIF file has no meta box (nor a moov box) after its ftyp box"
                : "the JPEG XL container has no codestream (no jxlc box, no last jxlp part)";
        }

        return Position < _boxEnd
            ? $"the box {FourCc(_boxType)} at byte {_boxStart} declares {_boxEnd - _boxStart} bytes and ends at byte {_boxEnd}"
            : $"the box header at byte {_boxEnd} is cut short";
    }

    private void BeginTopBox(ulong size, int headerLength)
    {
        if (size == 1 && headerLength == 8)
        {
            _level = Level.TopLargeSize;
            Expect(8);
            return;
        }

        if (size == 0)
        {
            // The box runs to the end of the file: nothing after it can be missing.
            _toEnd = true;
            MarkPayload(_boxType, wholeBox: true);
            ScanNext();
            return;
        }

        if (size < (ulong)headerLength)
        {
            GiveUp($"the box {FourCc(_boxType)} at byte {_boxStart} declares {size} bytes, less than its header");
            return;
        }

        _boxEnd = size > long.MaxValue ? long.MaxValue : Add(_boxStart, (long)size);
        MarkPayload(_boxType, wholeBox: false);
        if (_flavour == IsoBmffFlavour.Heif && _boxType == Meta && _boxEnd - Position >= 4)
        {
            _metaEnd = _boxEnd;
            _level = Level.MetaVersion;
            Expect(4);
        }
        else if (_flavour == IsoBmffFlavour.JpegXl && _boxType == Jxlp && _boxEnd - Position >= 4)
        {
            _level = Level.JxlpIndex;
            Expect(4);
        }
        else
        {
            NextTop(_boxEnd);
        }
    }

    private void MarkPayload(uint type, bool wholeBox)
    {
        if (_flavour == IsoBmffFlavour.Heif ? type is Meta or Moov : type == Jxlc || (wholeBox && type == Jxlp))
        {
            _sawPayload = true;
        }
    }

    private void NextTop(long start)
    {
        _level = Level.TopHeader;
        Expect(8, skipFirst: start - Position);
    }

    // The next box inside meta, or back to the top level when meta has no room for another header.
    private void NextChild(long start)
    {
        if (_metaEnd - start < 8)
        {
            NextTop(_metaEnd);
            return;
        }

        _level = Level.ChildHeader;
        Expect(8, skipFirst: start - Position);
    }

    private const uint Meta = 0x6D657461; // "meta"
    private const uint Moov = 0x6D6F6F76; // "moov"
    private const uint Iloc = 0x696C6F63; // "iloc"
    private const uint Jxlc = 0x6A786C63; // "jxlc"
    private const uint Jxlp = 0x6A786C70; // "jxlp"
}
