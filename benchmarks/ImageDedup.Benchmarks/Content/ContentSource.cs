using ImageDedup.Testing.Content;

namespace ImageDedup.Benchmarks.Content;

/// <summary>
/// The same bytes behind one kind of stream, opened once (outside the timed part) and rewound
/// before each invocation.
/// </summary>
public sealed class ContentSource : IDisposable
{
    private readonly byte[] _bytes;
    private readonly Stream _stream;
    private readonly string? _path;

    // The stream under a NonSeekableStream, which is rewound in its place: the wrapper itself cannot seek.
    private readonly MemoryStream? _forwardOnlySource;

    private ContentSource(byte[] bytes, Stream stream, string? path, MemoryStream? forwardOnlySource = null)
    {
        _bytes = bytes;
        _stream = stream;
        _path = path;
        _forwardOnlySource = forwardOnlySource;
    }

    /// <param name="bytes">The content; kept, not copied: the memory kinds read it in place.</param>
    /// <param name="scratch">Where the file kind writes its file.</param>
    public static ContentSource Open(StreamKind kind, byte[] bytes, ScratchDirectory scratch)
    {
        switch (kind)
        {
            case StreamKind.Memory:
                return new ContentSource(bytes, new MemoryStream(bytes, 0, bytes.Length, writable: false, publiclyVisible: true), null);
            case StreamKind.NonSeekable:
                var source = new MemoryStream(bytes, writable: false);
                return new ContentSource(bytes, new NonSeekableStream(source), null, source);
            case StreamKind.File:
                var path = scratch.File($"content-{bytes.Length}.bin");
                System.IO.File.WriteAllBytes(path, bytes);
                // As File.OpenRead opens it, except that Stamp may write through a second handle.
                return new ContentSource(bytes, new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite), path);
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    /// <summary>The stream, at its first byte.</summary>
    public Stream Rewind()
    {
        if (_forwardOnlySource is not null)
        {
            _forwardOnlySource.Position = 0;
        }
        else
        {
            _stream.Position = 0;
        }

        return _stream;
    }

    /// <summary>Makes the content unique (see <see cref="ImageBytes.Stamp"/>) in memory and, for the file kind, on disk.</summary>
    public void Stamp(long counter)
    {
        ImageBytes.Stamp(_bytes, counter);
        if (_path is not null)
        {
            using var handle = System.IO.File.OpenHandle(_path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            RandomAccess.Write(handle, _bytes.AsSpan(ImageBytes.StampOffset, sizeof(long)), ImageBytes.StampOffset);
        }
    }

    public void Dispose() => _stream.Dispose();
}
