namespace ImageDedup.Ingest.Structure;

/// <summary>
/// GIF: the header and logical screen descriptor with its global colour table, then every block —
/// extensions and images (descriptor, local colour table, LZW data) with their sub-block chains —
/// up to the trailer byte 0x3B. Bytes after the trailer are accepted.
/// </summary>
internal sealed class GifWalker : StructureWalker
{
    private State _state = State.Screen;
    private long _blockStart;
    private int _images;

    public GifWalker() => Expect(13);

    private enum State
    {
        Screen,
        Introducer,
        ExtensionLabel,
        ImageDescriptor,
        CodeSize,
        SubBlockSize,
    }

    protected override string CompleteDetail => "GIF blocks complete to the trailer";

    protected override void OnField(ReadOnlySpan<byte> field)
    {
        switch (_state)
        {
            case State.Screen:
                _state = State.Introducer;
                Expect(1, skipFirst: ColourTableLength(field[10]));
                break;
            case State.Introducer:
                _blockStart = Position - 1;
                switch (field[0])
                {
                    case 0x21:
                        _state = State.ExtensionLabel;
                        Expect(1);
                        break;
                    case 0x2C:
                        _images++;
                        _state = State.ImageDescriptor;
                        Expect(9);
                        break;
                    case 0x3B:
                        Finished();
                        break;
                    default:
                        GiveUp($"the GIF has an unknown block 0x{field[0]:X2} at byte {_blockStart}");
                        break;
                }

                break;
            case State.ExtensionLabel:
                _state = State.SubBlockSize;
                Expect(1);
                break;
            case State.ImageDescriptor:
                _state = State.CodeSize;
                Expect(1, skipFirst: ColourTableLength(field[8]));
                break;
            case State.CodeSize:
                _state = State.SubBlockSize;
                Expect(1);
                break;
            default:
                // A sub-block of field[0] bytes; a zero size ends the chain and the block.
                if (field[0] == 0)
                {
                    _state = State.Introducer;
                }

                Expect(1, skipFirst: field[0]);
                break;
        }
    }

    protected override string? Incomplete(bool atBoundary) => _state switch
    {
        State.Screen => "the GIF logical screen descriptor is cut short",
        State.Introducer when atBoundary => "the GIF has no trailer after its last block",
        State.Introducer => "the GIF colour table or block is cut short",
        _ => $"the GIF block at byte {_blockStart} (image {_images} or an extension after it) is cut short",
    };

    // A colour table follows when bit 7 of the packed field is set: 3 × 2^(n+1) bytes.
    private static int ColourTableLength(byte packed) => (packed & 0x80) == 0 ? 0 : 3 << ((packed & 0x07) + 1);
}
