namespace ImageDedup.Testing.Content;

/// <summary>What a <see cref="ScriptedStream"/> answers when asked for its <see cref="Stream.Length"/>.</summary>
public enum LengthClaim
{
    /// <summary>The real length.</summary>
    Truthful,

    /// <summary>Only what has been read so far, as ASP.NET Core's FileBufferingReadStream counts.</summary>
    GrowsWithReads,

    /// <summary>A third of the real length.</summary>
    LiesLow,

    /// <summary>A gibibyte more than the real length.</summary>
    LiesHigh,

    /// <summary>Throws <see cref="NotSupportedException"/>.</summary>
    Throws,
}

/// <summary>
/// A host's stream whose every answer the test chooses: whether it seeks, what its length and
/// position say, how many bytes each read hands out (down to one), and where it fails or hands
/// out different bytes the second time round. The bytes it yields from its start position to the
/// read that returns 0 are always <see cref="Content"/>, whatever its properties claim.
/// </summary>
public sealed class ScriptedStream : SynchronousReadStream
{
    private readonly byte[] _data;
    private readonly int _start;
    private readonly bool _canSeek;
    private readonly LengthClaim _length;
    private readonly bool _positionThrows;
    private readonly int _maxRead;
    private readonly Random _reads;
    private readonly long? _failAt;
    private readonly bool _failOnReread;
    private readonly bool _mutateOnReread;
    private int _position;
    private int _furthest;
    private bool _rewound;

    /// <summary>Creates the stream over <paramref name="padding"/> leading bytes (the part before its position) and <paramref name="content"/>.</summary>
    /// <param name="content">What the stream yields from its position to its end.</param>
    /// <param name="padding">Bytes before the start position; a seekable stream starts positioned after them.</param>
    /// <param name="canSeek">What <see cref="CanSeek"/> says; a stream that does not seek has no padding to skip and never rewinds.</param>
    /// <param name="length">What <see cref="Length"/> says.</param>
    /// <param name="positionThrows">Whether reading or setting <see cref="Position"/> (and seeking) throws <see cref="NotSupportedException"/>.</param>
    /// <param name="maxRead">The most bytes one read hands out; each read hands out between 1 and this many.</param>
    /// <param name="readSeed">Seeds the sizes of the reads.</param>
    /// <param name="failAt">Throw <see cref="IOException"/> once this many content bytes have been handed out, or never.</param>
    /// <param name="failOnReread">Apply <paramref name="failAt"/> only after the stream was rewound (the second read), not the first.</param>
    /// <param name="mutateOnReread">After a rewind, hand out the last content byte changed: the source was modified between two reads.</param>
    public ScriptedStream(
        byte[] content,
        int padding = 0,
        bool canSeek = false,
        LengthClaim length = LengthClaim.Truthful,
        bool positionThrows = false,
        int maxRead = int.MaxValue,
        int readSeed = 0,
        long? failAt = null,
        bool failOnReread = false,
        bool mutateOnReread = false)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRead, 1);
        Content = content;
        _start = canSeek && !positionThrows ? padding : 0;
        _data = new byte[_start + content.Length];
        new Random(readSeed).NextBytes(_data.AsSpan(0, _start));
        content.CopyTo(_data, _start);
        _canSeek = canSeek;
        _length = length;
        _positionThrows = positionThrows;
        _maxRead = maxRead;
        _reads = new Random(readSeed);
        _failAt = failAt;
        _failOnReread = failOnReread;
        _mutateOnReread = mutateOnReread;
        _position = _start;
        _furthest = _start;
    }

    /// <summary>What the stream yields from its start position to its end.</summary>
    public byte[] Content { get; }

    /// <summary>How many times the stream was moved back to an earlier position.</summary>
    public int Rewinds { get; private set; }

    /// <inheritdoc/>
    public override bool CanSeek => _canSeek;

    /// <inheritdoc/>
    public override long Length => _length switch
    {
        LengthClaim.Truthful => _data.Length,
        LengthClaim.GrowsWithReads => _furthest,
        LengthClaim.LiesLow => _start + (Content.Length / 3),
        LengthClaim.LiesHigh => _data.Length + (1L << 30),
        _ => throw new NotSupportedException("This stream does not know its length (scripted)."),
    };

    /// <inheritdoc/>
    public override long Position
    {
        get
        {
            RefusePosition();
            return _position;
        }

        set => Seek(value, SeekOrigin.Begin);
    }

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin)
    {
        RefusePosition();
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => _data.Length + offset,
        };
        ArgumentOutOfRangeException.ThrowIfNegative(target, nameof(offset));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(target, _data.Length, nameof(offset));
        if (target < _position)
        {
            Rewinds++;
            _rewound = true;
        }

        _position = (int)target;
        return _position;
    }

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty || _position >= _data.Length)
        {
            return 0;
        }

        var handedOut = _position - _start;
        if (_failAt is { } failAt && _failOnReread == _rewound && handedOut >= failAt)
        {
            throw new IOException($"The connection was reset after {handedOut} bytes (scripted).");
        }

        var n = Math.Min(Math.Min(buffer.Length, _data.Length - _position), _reads.Next(1, Math.Min(_maxRead, int.MaxValue - 1) + 1));
        if (_failAt is { } limit && _failOnReread == _rewound)
        {
            n = (int)Math.Min(n, Math.Max(1, limit - handedOut));
        }

        _data.AsSpan(_position, n).CopyTo(buffer);
        if (_mutateOnReread && _rewound && _position + n == _data.Length)
        {
            buffer[n - 1] ^= 0xFF;
        }

        _position += n;
        _furthest = Math.Max(_furthest, _position);
        return n;
    }

    private void RefusePosition()
    {
        if (!_canSeek || _positionThrows)
        {
            throw new NotSupportedException("This stream cannot tell or change its position (scripted).");
        }
    }
}
