using CsCheck;
using Microsoft.AspNetCore.WebUtilities;

namespace ImageDedup.Testing.Content;

/// <summary>The kind of stream a host hands over.</summary>
public enum HostStreamKind
{
    /// <summary>A <see cref="ScriptedStream"/>: every property and read size chosen by the case.</summary>
    Scripted,

    /// <summary>ASP.NET Core's FileBufferingReadStream (<c>Request.EnableBuffering()</c>) over a network-like body.</summary>
    FileBuffering,

    /// <summary>A FileStream opened for synchronous reads, as File.OpenRead does.</summary>
    FileSync,

    /// <summary>A FileStream opened with FileOptions.Asynchronous.</summary>
    FileAsync,
}

/// <summary>What the host declares as <see cref="IngestRequest.ExpectedLength"/>.</summary>
public enum DeclaredLength
{
    /// <summary>Nothing.</summary>
    None,

    /// <summary>The true length of the content.</summary>
    Exact,

    /// <summary>One byte less than the content holds.</summary>
    OneShort,

    /// <summary>One byte more than the content holds.</summary>
    OneOver,
}

/// <summary>Where a scripted stream fails.</summary>
public enum StreamFault
{
    /// <summary>Never.</summary>
    None,

    /// <summary>While the engine reads it the first time.</summary>
    FirstRead,

    /// <summary>Only after it was rewound, when the bytes are read again.</summary>
    Reread,
}

/// <summary>
/// One generated host stream: its kind, its content, and every behaviour a host's stream can
/// have that the engine must not trust. <see cref="OpenAsync"/> builds it, positioned where the
/// host hands it over; <see cref="Failures"/> says which typed failures the case can
/// legitimately end in, and <see cref="MustFail"/> whether it must end in one.
/// </summary>
/// <param name="Kind">The kind of stream.</param>
/// <param name="Length">The content's length in bytes.</param>
/// <param name="IsImage">Whether the content starts with an image signature.</param>
/// <param name="Seed">Seeds the content, the padding and the read sizes.</param>
/// <param name="Padding">Bytes before the host's position: the engine must start where the stream is, not at 0.</param>
/// <param name="CanSeek">What a scripted stream's CanSeek says.</param>
/// <param name="LengthClaim">What a scripted stream's Length says.</param>
/// <param name="PositionThrows">Whether a scripted seekable stream's Position throws.</param>
/// <param name="MaxRead">The most bytes one read of the underlying body hands out.</param>
/// <param name="Peek">For FileBuffering: bytes the host reads past the padding before it rewinds to the padding.</param>
/// <param name="Fault">Where a scripted stream fails with an IOException.</param>
/// <param name="FaultAt">How many content bytes are handed out before the fault.</param>
/// <param name="MutateOnReread">Whether a scripted stream hands out a changed last byte once rewound.</param>
/// <param name="Declared">What the host declares as the expected length.</param>
public sealed record HostStreamCase(
    HostStreamKind Kind,
    int Length,
    bool IsImage,
    int Seed,
    int Padding,
    bool CanSeek,
    LengthClaim LengthClaim,
    bool PositionThrows,
    int MaxRead,
    int Peek,
    StreamFault Fault,
    int FaultAt,
    bool MutateOnReread,
    DeclaredLength Declared)
{
    /// <summary>
    /// Cases around an engine whose chunk is <paramref name="chunkSize"/> bytes and whose limit is
    /// <paramref name="maxBytes"/>: mostly small images (the hot path), lengths at chunk
    /// boundaries, and some over the limit.
    /// </summary>
    public static Gen<HostStreamCase> Generate(int chunkSize, int maxBytes)
    {
        var length = Gen.Frequency(
            (1, Gen.Const(0)),
            (8, Gen.Int[1, 5_000]),
            (3, Gen.Int[chunkSize - 3, chunkSize + 3]),
            (2, Gen.Int[(2 * chunkSize) - 2, (2 * chunkSize) + 2]),
            (3, Gen.Int[5_000, maxBytes]),
            (1, Gen.Int[maxBytes + 1, maxBytes + chunkSize]));
        var kind = Gen.Frequency(
            (6, Gen.Const(HostStreamKind.Scripted)),
            (2, Gen.Const(HostStreamKind.FileBuffering)),
            (1, Gen.Const(HostStreamKind.FileSync)),
            (1, Gen.Const(HostStreamKind.FileAsync)));
        var padding = Gen.Frequency((1, Gen.Const(0)), (1, Gen.Int[1, 3_000]));
        var maxRead = Gen.Frequency((1, Gen.Int[1, 64]), (2, Gen.Int[65, 3 * chunkSize / 2]), (1, Gen.Const(int.MaxValue)));
        var fault = Gen.Frequency((6, Gen.Const(StreamFault.None)), (1, Gen.Const(StreamFault.FirstRead)), (1, Gen.Const(StreamFault.Reread)));
        var positionThrows = Gen.Frequency((4, Gen.Const(false)), (1, Gen.Const(true)));
        var isImage = Gen.Frequency((12, Gen.Const(true)), (1, Gen.Const(false)));
        var mutate = Gen.Frequency((5, Gen.Const(false)), (1, Gen.Const(true)));
        var declared = Gen.Frequency(
            (6, Gen.Const(DeclaredLength.None)),
            (3, Gen.Const(DeclaredLength.Exact)),
            (1, Gen.Const(DeclaredLength.OneShort)),
            (1, Gen.Const(DeclaredLength.OneOver)));

        return Gen.Select(kind, length, isImage, Gen.Int, padding, Gen.Bool, Gen.Enum<LengthClaim>(), positionThrows, maxRead, Gen.Int[0, 2_048], fault, Gen.Int[0, int.MaxValue], mutate, declared,
            (k, l, i, seed, p, s, lc, pt, mr, peek, f, fa, m, d) => new HostStreamCase(k, l, i, seed, p, s, lc, pt, mr, peek, f, l == 0 ? 0 : fa % l, m, d));
    }

    /// <summary>The bytes the stream yields from the host's position to its end.</summary>
    public byte[] Content()
    {
        if (Length == 0)
        {
            return [];
        }

        if (IsImage && Length >= 16)
        {
            return TestImages.Png(Seed, Length);
        }

        // '%' starts no image signature.
        var bytes = new byte[Length];
        new Random(Seed).NextBytes(bytes);
        bytes[0] = (byte)'%';
        return bytes;
    }

    /// <summary>The length to declare in the request, if any.</summary>
    public long? ExpectedLength => Declared switch
    {
        DeclaredLength.Exact => Length,
        DeclaredLength.OneShort => Length - 1,
        DeclaredLength.OneOver => Length + 1L,
        _ => null,
    };

    /// <summary>Whether the case can only end in a failure (a typed one, leaving nothing behind).</summary>
    public bool MustFail(long maxBytes) => DefinitelyFails(maxBytes).Count > 0;

    /// <summary>The failures the case can legitimately end in.</summary>
    public IReadOnlyList<Type> Failures(long maxBytes)
    {
        var failures = DefinitelyFails(maxBytes).ToList();
        if (Kind == HostStreamKind.Scripted && Fault == StreamFault.Reread)
        {
            // Whether the engine reads the host's stream twice is its choice.
            failures.Add(typeof(IOException));
        }

        if (Kind == HostStreamKind.Scripted && MutateOnReread)
        {
            failures.Add(typeof(ContentIntegrityException));
        }

        if (Length != 0 && IsImage && Length >= 16 && Length < TestImages.MinimumWholeLength)
        {
            // Below the shortest whole structure the test images promise, some of them are cut short.
            failures.Add(typeof(ImageTruncatedException));
        }

        return failures;
    }

    /// <summary>Builds the stream, positioned where the host hands it to the engine.</summary>
    /// <param name="directory">Where a file-backed case may put its file.</param>
    public async Task<HostStream> OpenAsync(string directory)
    {
        var content = Content();
        var padding = new byte[Padding];
        new Random(~Seed).NextBytes(padding);
        switch (Kind)
        {
            case HostStreamKind.FileBuffering:
            {
                // A request body: forward-only, a few bytes to tens of kilobytes a read.
                var body = new ScriptedStream([.. padding, .. content], maxRead: MaxRead, readSeed: Seed);
                var buffered = new FileBufferingReadStream(body, memoryThreshold: 30 * 1024, bufferLimit: null, tempFileDirectory: directory);
                var peek = new byte[Padding + Peek];
                await buffered.ReadAtLeastAsync(peek, peek.Length, throwOnEndOfStream: false);
                buffered.Position = Math.Min(Padding, buffered.Length);
                return new HostStream(buffered, content, null);
            }

            case HostStreamKind.FileSync:
            case HostStreamKind.FileAsync:
            {
                var path = Path.Combine(directory, $"upload-{Guid.NewGuid():N}.bin");
                await File.WriteAllBytesAsync(path, [.. padding, .. content]);
                var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, Kind == HostStreamKind.FileAsync) { Position = Padding };
                return new HostStream(file, content, path);
            }

            default:
            {
                var scripted = new ScriptedStream(
                    content,
                    Padding,
                    CanSeek,
                    LengthClaim,
                    PositionThrows,
                    MaxRead,
                    Seed,
                    Fault == StreamFault.None ? null : FaultAt,
                    Fault == StreamFault.Reread,
                    MutateOnReread);
                return new HostStream(scripted, content, null);
            }
        }
    }

    private List<Type> DefinitelyFails(long maxBytes)
    {
        var failures = new List<Type>();
        if (ExpectedLength < 0)
        {
            failures.Add(typeof(ArgumentOutOfRangeException));
        }

        if (Length == 0)
        {
            failures.Add(typeof(EmptyContentException));
        }
        else if (!IsImage || Length < 16)
        {
            failures.Add(typeof(NotAnImageException));
        }

        if (Length > maxBytes || ExpectedLength > maxBytes)
        {
            failures.Add(typeof(ContentTooLargeException));
        }

        if (ExpectedLength is { } declared && declared != Length)
        {
            failures.Add(typeof(ContentIntegrityException));
        }

        if (Kind == HostStreamKind.Scripted && Fault == StreamFault.FirstRead && FaultAt < Length)
        {
            failures.Add(typeof(IOException));
        }

        return failures;
    }
}

/// <summary>A host stream built from a <see cref="HostStreamCase"/>, and what it yields from its position to its end.</summary>
/// <param name="Stream">The stream, positioned where the host hands it over.</param>
/// <param name="Expected">The bytes it yields from there to the read that returns 0.</param>
/// <param name="FilePath">The file behind it, deleted on disposal, or null.</param>
public sealed record HostStream(Stream Stream, byte[] Expected, string? FilePath) : IAsyncDisposable
{
    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await Stream.DisposeAsync();
        if (FilePath is not null)
        {
            File.Delete(FilePath);
        }
    }
}
