using CsCheck;
using ImageDedup.Testing.Content;
using Microsoft.AspNetCore.WebUtilities;
using Xunit;

namespace ImageDedup.Testing.Engine;

/// <summary>
/// Whatever a host's stream claims (CanSeek, Length, Position) and however it hands out its
/// bytes, the engine stores exactly what it yields from its position to the read that returns 0,
/// or fails with a typed exception and leaves nothing (docs/invariants.md, invariant 5).
/// </summary>
public abstract partial class EngineConformanceTests
{
    private const int StreamChunk = 64 * 1024;
    private const int StreamLimit = 200_000;

    /// <summary>How many generated host streams the stream property ingests on this pair of stores.</summary>
    protected virtual int StreamCases => 100;

    [Fact]
    public async Task Whatever_a_host_stream_claims_the_engine_stores_exactly_what_it_yields_or_nothing()
    {
        var engine = CreateEngine(o =>
        {
            o.BufferSize = StreamChunk;
            o.MaxImageBytes = StreamLimit;
        });
        var directory = Directory.CreateTempSubdirectory("imagededup-host-streams-").FullName;
        try
        {
            var cases = 0;
            await HostStreamCase.Generate(StreamChunk, StreamLimit).SampleAsync(
                async c =>
                {
                    var holder = $"streams/{Interlocked.Increment(ref cases)}";
                    await using var host = await c.OpenAsync(directory);
                    IngestResult result;
                    try
                    {
                        result = await engine.DefaultScope.IngestAsync(host.Stream, new IngestRequest { Holder = holder, ExpectedLength = c.ExpectedLength });
                    }
                    catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
                    {
                        Assert.True(c.Failures(StreamLimit).Contains(ex.GetType()), $"{c} failed with an exception it should not: {ex}");
                        await AssertNothingStoredAsync(holder);
                        return;
                    }

                    Assert.False(c.MustFail(StreamLimit), $"{c} was stored; it should have failed with one of {string.Join(", ", c.Failures(StreamLimit).Select(t => t.Name))}");
                    await AssertStoredAsync(engine, result, holder, host.Expected);
                    Assert.True((await engine.DefaultScope.ReleaseAsync(holder)).OriginalDeleted);
                    await AssertNothingStoredAsync(holder);
                },
                iter: StreamCases,
                threads: 1,
                print: c => c.ToString());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(512)]
    public async Task A_buffered_request_body_is_stored_whole_whether_untouched_or_peeked_and_rewound(int peek)
    {
        // What Request.EnableBuffering() makes of a 300,000-byte upload: CanSeek is true and Length
        // counts only what has been buffered so far.
        var engine = CreateEngine();
        var bytes = TestImages.UniquePng(300_000);
        await using var body = new FileBufferingReadStream(NonSeekableStream.Over(bytes, maxChunk: 16 * 1024), memoryThreshold: 30 * 1024);
        if (peek > 0)
        {
            var head = new byte[peek];
            await body.ReadExactlyAsync(head);
            body.Position = 0;
        }

        var result = await engine.DefaultScope.IngestAsync(body, new IngestRequest { Holder = "uploads/1" });

        Assert.True(result.StoredNewBytes);
        await AssertStoredAsync(engine, result, "uploads/1", bytes);
    }

    [Theory]
    [InlineData(LengthClaim.GrowsWithReads)]
    [InlineData(LengthClaim.LiesLow)]
    [InlineData(LengthClaim.LiesHigh)]
    [InlineData(LengthClaim.Throws)]
    public async Task A_seekable_stream_whose_length_is_wrong_or_unknown_is_stored_whole(LengthClaim claim)
    {
        var engine = CreateEngine();
        var bytes = TestImages.UniquePng(150_000);
        var stream = new ScriptedStream(bytes, padding: 700, canSeek: true, length: claim, maxRead: 10_000);

        var result = await engine.DefaultScope.IngestAsync(stream, new IngestRequest { Holder = "h" });

        await AssertStoredAsync(engine, result, "h", bytes);
    }

    [Theory]
    [InlineData(3_000)]
    [InlineData(150_000)]
    public async Task A_stream_that_says_it_seeks_but_cannot_tell_its_position_is_stored_whole(int length)
    {
        var engine = CreateEngine();
        var bytes = TestImages.UniquePng(length);
        var stream = new ScriptedStream(bytes, canSeek: true, positionThrows: true, maxRead: 7_000);

        var result = await engine.DefaultScope.IngestAsync(stream, new IngestRequest { Holder = "h" });

        await AssertStoredAsync(engine, result, "h", bytes);
        Assert.Equal(0, stream.Rewinds);
    }

    [Theory]
    [InlineData(false, 0)]
    [InlineData(false, 1_000)]
    [InlineData(true, 1_000)]
    [InlineData(false, 199_000)]
    public async Task A_file_stream_is_stored_from_its_position_whether_opened_for_sync_or_async_reads(bool asynchronous, int position)
    {
        var engine = CreateEngine();
        // Whatever precedes the host's position (here bytes that are no image) is not the upload;
        // the image, whole, starts exactly there.
        var content = TestImages.UniquePng(200_000 - position);
        var bytes = new byte[200_000];
        Array.Fill(bytes, (byte)'%', 0, position);
        content.CopyTo(bytes, position);
        var path = Path.Combine(Path.GetTempPath(), $"imagededup-upload-{Guid.NewGuid():N}.bin");
        await File.WriteAllBytesAsync(path, bytes);
        try
        {
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, asynchronous) { Position = position };

            var result = await engine.DefaultScope.IngestAsync(file, new IngestRequest { Holder = "h" });

            await AssertStoredAsync(engine, result, "h", content);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Asserts that the ingest stored exactly <paramref name="expected"/> for the holder, read back through the engine (verified) and the blob store.</summary>
    protected async Task AssertStoredAsync(IImageDedup engine, IngestResult result, string holder, byte[] expected)
    {
        Assert.Equal(expected.Length, result.Original.Length);
        Assert.Equal(TestImages.DigestOf(expected), result.Original.Digest);
        Assert.Equal(result.Original.Id, (await engine.DefaultScope.FindByHolderAsync(holder))?.Id);
        await using (var read = await engine.DefaultScope.OpenReadAsync(result.Original.Id, new ReadOptions { Verify = true }))
        {
            var actual = await ReadAllAsync(read);
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"read back {actual.Length} bytes that differ from the {expected.Length} the stream yielded");
        }

        await AssertBlobHoldsAsync(result.Original, expected);
    }
}
