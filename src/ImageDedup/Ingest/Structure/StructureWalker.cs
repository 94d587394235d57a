namespace ImageDedup.Ingest.Structure;

/// <summary>
/// Follows an image format's own structure (chunk, block, segment and box lengths, offsets) as the
/// upload streams past, to tell at the end whether the structure says more bytes should follow than
/// arrived. Fed every chunk of the one ingest pass, split anywhere; memory is constant — a declared
/// length is only ever counted down, never allocated.
/// </summary>
/// <remarks>
/// A format walker drives this loop with three requests: <see cref="Expect"/> (gather a small field,
/// then <see cref="OnField"/>), <see cref="ScanNext"/> (hand raw bytes to <see cref="Scan"/>), each
/// optionally after skipping a counted run of bytes, and <see cref="Finished"/> (the structure has
/// ended; later bytes are a trailer). A structure it cannot make sense of ends the walk with
/// <see cref="GiveUp"/>: the check must never refuse a file it does not understand.
/// </remarks>
internal abstract class StructureWalker
{
    /// <summary>The longest field a walker may <see cref="Expect"/>.</summary>
    protected const int MaxField = 32;

    private readonly byte[] _field = new byte[MaxField];
    private Mode _mode;
    private long _skip;
    private int _want;
    private int _have;
    private long _requiredEnd;
    private string? _requiredBy;
    private string? _unchecked;

    private enum Mode
    {
        Field,
        Scan,
        Finished,
        GaveUp,
    }

    /// <summary>How many bytes have been consumed so far: the offset of the next byte.</summary>
    protected long Position { get; private set; }

    /// <summary>Returns the walker for the format the content starts with, or null when it is not a recognised image.</summary>
    public static StructureWalker? For(ReadOnlySpan<byte> head) => ImageFormats.Detect(head[..Math.Min(head.Length, ImageFormats.SignatureWindow)]) switch
    {
        "image/png" => new PngWalker(),
        "image/jpeg" => new JpegWalker(),
        "image/gif" => new GifWalker(),
        "image/webp" => new WebPWalker(),
        "image/bmp" => new BmpWalker(),
        "image/x-icon" => new IcoWalker(),
        "image/tiff" => new TiffWalker(),
        "image/heic" or "image/heif" or "image/avif" => new IsoBmffWalker(IsoBmffFlavour.Heif),
        "image/jxl" when head[0] == 0xFF => new JxlCodestreamWalker(),
        "image/jxl" => new IsoBmffWalker(IsoBmffFlavour.JpegXl),
        _ => null,
    };

    /// <summary>Consumes the next bytes of the content.</summary>
    public void Append(ReadOnlySpan<byte> chunk)
    {
        while (!chunk.IsEmpty)
        {
            if (_skip > 0)
            {
                if (_skip >= chunk.Length)
                {
                    _skip -= chunk.Length;
                    Position += chunk.Length;
                    return;
                }

                chunk = chunk[(int)_skip..];
                Position += _skip;
                _skip = 0;
            }

            switch (_mode)
            {
                case Mode.Field:
                    chunk = Gather(chunk);
                    break;
                case Mode.Scan:
                    var used = Scan(chunk);
                    Position += used;
                    chunk = chunk[used..];
                    break;
                default:
                    Position += chunk.Length;
                    return;
            }
        }
    }

    /// <summary>Says whether the content that was appended holds the whole structure.</summary>
    public StructureVerdict Finish()
    {
        if (_unchecked is not null)
        {
            return StructureVerdict.Unchecked(_unchecked);
        }

        var missing = _mode == Mode.Finished ? null : Incomplete(atBoundary: _mode == Mode.Field && _skip == 0 && _have == 0);
        if (missing is null && _requiredEnd > Position)
        {
            missing = $"{_requiredBy} ends at byte {_requiredEnd}";
        }

        return missing is null
            ? StructureVerdict.Complete(CompleteDetail)
            : StructureVerdict.Truncated($"{missing}, but the content ends after {Position} bytes");
    }

    /// <summary>What was checked, in words, for a complete walk.</summary>
    protected abstract string CompleteDetail { get; }

    /// <summary>Receives the field asked for with <see cref="Expect"/>; must make the next request.</summary>
    protected abstract void OnField(ReadOnlySpan<byte> field);

    /// <summary>Receives raw bytes after <see cref="ScanNext"/>; returns how many it consumed (at least one, or all).</summary>
    protected virtual int Scan(ReadOnlySpan<byte> data) => throw new InvalidOperationException("This walker does not scan.");

    /// <summary>
    /// At the end of the content, while the walk was not finished: what is missing, or null when the
    /// content may end here (<paramref name="atBoundary"/>: between two fields, nothing half-read).
    /// </summary>
    protected abstract string? Incomplete(bool atBoundary);

    /// <summary>Skips <paramref name="skipFirst"/> bytes, then gathers <paramref name="length"/> bytes for <see cref="OnField"/>.</summary>
    protected void Expect(int length, long skipFirst = 0)
    {
        System.Diagnostics.Debug.Assert(length is > 0 and <= MaxField, "A field is 1 to MaxField bytes.");
        _mode = Mode.Field;
        _want = length;
        _have = 0;
        _skip = skipFirst;
    }

    /// <summary>Skips <paramref name="skipFirst"/> bytes, then hands the bytes that follow to <see cref="Scan"/>.</summary>
    protected void ScanNext(long skipFirst = 0)
    {
        _mode = Mode.Scan;
        _skip = skipFirst;
    }

    /// <summary>The structure has ended; what follows is a trailer. Offsets required so far still hold.</summary>
    protected void Finished()
    {
        _mode = Mode.Finished;
        _skip = 0;
    }

    /// <summary>The structure is not one this walker understands: nothing is claimed about the content.</summary>
    protected void GiveUp(string reason)
    {
        _mode = Mode.GaveUp;
        _skip = 0;
        _unchecked ??= reason;
    }

    /// <summary>Records that the content must be at least <paramref name="end"/> bytes long, because of <paramref name="what"/>.</summary>
    protected void Require(long end, string what)
    {
        if (end > _requiredEnd)
        {
            _requiredEnd = end;
            _requiredBy = what;
        }
    }

    /// <summary>Adds without overflowing: a declared size too large for a long can never be satisfied anyway.</summary>
    protected static long Add(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;

    /// <summary>A four-character code as text for a message: 'IDAT', or hex when it is not printable.</summary>
    protected static string FourCc(uint code)
    {
        Span<byte> bytes = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, code);
        foreach (var b in bytes)
        {
            if (b is < 0x20 or > 0x7E)
            {
                return $"0x{code:X8}";
            }
        }

        return $"'{System.Text.Encoding.ASCII.GetString(bytes)}'";
    }

    private ReadOnlySpan<byte> Gather(ReadOnlySpan<byte> chunk)
    {
        if (_have == 0 && chunk.Length >= _want)
        {
            // The common case: the whole field is in this chunk, no copy.
            var want = _want;
            Position += want;
            OnField(chunk[..want]);
            return chunk[want..];
        }

        var take = Math.Min(_want - _have, chunk.Length);
        chunk[..take].CopyTo(_field.AsSpan(_have));
        _have += take;
        Position += take;
        if (_have == _want)
        {
            _have = 0;
            OnField(_field.AsSpan(0, _want));
        }

        return chunk[take..];
    }
}
