namespace ImageDedup.Ingest.Structure;

/// <summary>The iloc box (ISO/IEC 14496-12 §8.11.3), read field by field as it streams past.</summary>
internal sealed partial class IsoBmffWalker
{
    private long _ilocEnd;
    private IlocStep _step;
    private int _ilocVersion;
    private int _offsetSize;
    private int _lengthSize;
    private int _baseSize;
    private int _indexSize;
    private ulong _items;
    private ulong _extents;
    private ulong _construction;
    private ulong _dataReference;
    private ulong _baseOffset;
    private ulong _extentOffset;

    private enum IlocStep
    {
        Version,
        Sizes,
        Count,
        ItemId,
        Construction,
        DataReference,
        BaseOffset,
        ExtentCount,
        ExtentIndex,
        ExtentOffset,
        ExtentLength,
    }

    private void BeginIloc(long end)
    {
        _ilocEnd = end;
        _level = Level.Iloc;
        Step(IlocStep.Version);
    }

    private void OnIlocField(ReadOnlySpan<byte> field)
    {
        ulong value = 0;
        foreach (var b in field)
        {
            value = (value << 8) | b;
        }

        Advance(_step, value);
    }

    private void Advance(IlocStep done, ulong value)
    {
        switch (done)
        {
            case IlocStep.Version:
                _ilocVersion = (int)(value >> 24);
                if (_ilocVersion > 2)
                {
                    EndIloc();
                    return;
                }

                Step(IlocStep.Sizes);
                break;
            case IlocStep.Sizes:
                _offsetSize = (int)(value >> 12) & 0xF;
                _lengthSize = (int)(value >> 8) & 0xF;
                _baseSize = (int)(value >> 4) & 0xF;
                _indexSize = _ilocVersion > 0 ? (int)value & 0xF : 0;
                if (!IsFieldSize(_offsetSize) || !IsFieldSize(_lengthSize) || !IsFieldSize(_baseSize) || !IsFieldSize(_indexSize))
                {
                    EndIloc();
                    return;
                }

                Step(IlocStep.Count);
                break;
            case IlocStep.Count:
                _items = value;
                NextItem();
                break;
            case IlocStep.ItemId:
                _construction = 0;
                Step(_ilocVersion > 0 ? IlocStep.Construction : IlocStep.DataReference);
                break;
            case IlocStep.Construction:
                _construction = value & 0xF;
                Step(IlocStep.DataReference);
                break;
            case IlocStep.DataReference:
                _dataReference = value;
                _baseOffset = 0;
                Step(_baseSize > 0 ? IlocStep.BaseOffset : IlocStep.ExtentCount);
                break;
            case IlocStep.BaseOffset:
                _baseOffset = value;
                Step(IlocStep.ExtentCount);
                break;
            case IlocStep.ExtentCount:
                _extents = value;
                NextExtent();
                break;
            case IlocStep.ExtentIndex:
                _extentOffset = 0;
                Step(_offsetSize > 0 ? IlocStep.ExtentOffset : IlocStep.ExtentLength);
                break;
            case IlocStep.ExtentOffset:
                _extentOffset = value;
                if (_lengthSize > 0)
                {
                    Step(IlocStep.ExtentLength);
                }
                else
                {
                    NextExtent();
                }

                break;
            default:
                // Length 0 means "to the end of the file"; data in idat (method 1) or in another
                // item (method 2) or another file is not this file's bytes.
                if (value != 0 && _construction == 0 && _dataReference == 0)
                {
                    var end = _baseOffset + _extentOffset;
                    end = end < _baseOffset || end + value < end ? ulong.MaxValue : end + value;
                    Require(end > long.MaxValue ? long.MaxValue : (long)end, "an item's data (iloc extent)");
                }

                NextExtent();
                break;
        }
    }

    private void NextItem(long skipFirst = 0)
    {
        if (_items == 0)
        {
            EndIloc();
            return;
        }

        _items--;
        Step(IlocStep.ItemId, skipFirst);
    }

    private void NextExtent()
    {
        if (_extents == 0)
        {
            NextItem();
            return;
        }

        if (_offsetSize == 0 && _lengthSize == 0)
        {
            // Extents without offset and length fields say nothing about this file: skip their indexes at once.
            var indexes = (long)_extents * _indexSize;
            _extents = 0;
            NextItem(indexes);
            return;
        }

        _extents--;
        Step(_indexSize > 0 ? IlocStep.ExtentIndex : _offsetSize > 0 ? IlocStep.ExtentOffset : IlocStep.ExtentLength);
    }

    private void Step(IlocStep step, long skipFirst = 0)
    {
        var size = step switch
        {
            IlocStep.Version => 4,
            IlocStep.Sizes or IlocStep.Construction or IlocStep.DataReference or IlocStep.ExtentCount => 2,
            IlocStep.Count or IlocStep.ItemId => _ilocVersion < 2 ? 2 : 4,
            IlocStep.BaseOffset => _baseSize,
            IlocStep.ExtentIndex => _indexSize,
            IlocStep.ExtentOffset => _offsetSize,
            _ => _lengthSize,
        };

        if (Position + skipFirst + size > _ilocEnd)
        {
            // The iloc box is shorter than its own fields say: not something to judge the file by.
            EndIloc();
            return;
        }

        _step = step;
        Expect(size, skipFirst);
    }

    private void EndIloc() => NextChild(_ilocEnd);

    private static bool IsFieldSize(int size) => size is 0 or 4 or 8;
}
