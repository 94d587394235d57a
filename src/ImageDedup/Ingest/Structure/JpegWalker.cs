using System.Buffers.Binary;

namespace ImageDedup.Ingest.Structure;

/// <summary>
/// JPEG: the marker segments by their lengths, the entropy-coded data after each SOS (stuffed
/// 0xFF00 bytes, restart markers and 0xFF fill bytes included) up to the end-of-image marker of the
/// first image. Several scans (progressive JPEG) are several SOS segments before that EOI. An EXIF
/// thumbnail's own SOI..EOI sits inside the APP1 segment's length and is skipped with it; whatever
/// follows the EOI (Motion Photo video, MPF secondary images, padding) is a trailer and accepted.
/// </summary>
internal sealed class JpegWalker : StructureWalker
{
    private const byte StartOfScan = 0xDA;
    private const byte EndOfImage = 0xD9;

    private State _state = State.SeekMarker;
    private byte _marker;
    private long _segmentStart;
    private int _segmentLength;
    private int _scans;

    public JpegWalker() => ScanNext();

    private enum State
    {
        SeekMarker,
        MarkerCode,
        Entropy,
        EntropyMarker,
    }

    protected override string CompleteDetail => "JPEG segments and entropy-coded data complete to the end-of-image marker";

    protected override int Scan(ReadOnlySpan<byte> data)
    {
        switch (_state)
        {
            case State.SeekMarker:
                var at = data.IndexOf((byte)0xFF);
                if (at < 0)
                {
                    return data.Length;
                }

                _state = State.MarkerCode;
                return at + 1;
            case State.Entropy:
                return ScanEntropy(data);
            case State.EntropyMarker:
                var code = data[0];
                if (code == 0x00 || code is >= 0xD0 and <= 0xD7)
                {
                    // A stuffed 0xFF data byte, or a restart marker: the scan goes on.
                    _state = State.Entropy;
                    return 1;
                }

                if (code == 0xFF)
                {
                    return 1; // fill byte
                }

                return Marker(code);
            default:
                return data[0] == 0xFF ? 1 : Marker(data[0]);
        }
    }

    protected override void OnField(ReadOnlySpan<byte> field)
    {
        _segmentLength = BinaryPrimitives.ReadUInt16BigEndian(field);
        if (_segmentLength < 2)
        {
            GiveUp($"the JPEG segment 0xFF{_marker:X2} at byte {_segmentStart} declares a length of {_segmentLength}");
            return;
        }

        if (_marker == StartOfScan)
        {
            _scans++;
            _state = State.Entropy;
        }
        else
        {
            _state = State.SeekMarker;
        }

        ScanNext(skipFirst: _segmentLength - 2);
    }

    protected override string? Incomplete(bool atBoundary)
    {
        if (_segmentLength > 0 && Position < _segmentStart + 2 + _segmentLength)
        {
            return $"the JPEG segment 0xFF{_marker:X2} at byte {_segmentStart} declares {_segmentLength} bytes and ends at byte {_segmentStart + 2 + _segmentLength}";
        }

        return _state is State.Entropy or State.EntropyMarker
            ? $"the entropy-coded data of JPEG scan {_scans} has no end-of-image marker"
            : "the JPEG has no end-of-image marker";
    }

    // The hot loop: a photo's scan data holds a stuffed 0xFF00 every few hundred bytes; step over
    // those and restart markers here rather than one call each.
    private int ScanEntropy(ReadOnlySpan<byte> data)
    {
        var i = 0;
        while (true)
        {
            var at = data[i..].IndexOf((byte)0xFF);
            if (at < 0)
            {
                return data.Length;
            }

            i += at + 1;
            if (i == data.Length)
            {
                _state = State.EntropyMarker;
                return i;
            }

            var code = data[i];
            if (code != 0x00 && code is not (>= 0xD0 and <= 0xD7))
            {
                // A fill byte or a marker: the marker state decides.
                _state = State.EntropyMarker;
                return i;
            }

            i++;
        }
    }

    // Consumes the marker code byte.
    private int Marker(byte code)
    {
        if (code == EndOfImage)
        {
            Finished();
            return 1;
        }

        if (code is 0xD8 or 0x01 or (>= 0xD0 and <= 0xD7) or 0x00)
        {
            // Markers without a length (SOI, TEM, a stray RST) and a stray 0xFF00 outside a scan,
            // which decoders skip like any other byte between segments.
            _state = State.SeekMarker;
            return 1;
        }

        _marker = code;
        _segmentStart = Position - 1; // the 0xFF before this code byte
        _segmentLength = 0;
        Expect(2);
        return 1;
    }
}
