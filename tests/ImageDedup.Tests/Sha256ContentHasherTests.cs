using System.Security.Cryptography;
using CsCheck;
using ImageDedup.Hashing;
using ImageDedup.Testing.Content;
using Microsoft.AspNetCore.WebUtilities;

namespace ImageDedup.Tests;

public class Sha256ContentHasherTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(65_535)]
    [InlineData(65_536)]
    [InlineData(65_537)]
    [InlineData(1_000_000)]
    public async Task Matches_the_platform_hash_for_every_kind_of_stream(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        var expected = ContentDigest.FromSha256(SHA256.HashData(bytes));
        var hasher = new Sha256ContentHasher(chunkSize: 64 * 1024);

        Assert.Equal(expected, await hasher.HashAsync(new MemoryStream(bytes)));
        Assert.Equal(expected, await hasher.HashAsync(new MemoryStream(bytes, 0, length, writable: false, publiclyVisible: true)));
        Assert.Equal(expected, await hasher.HashAsync(NonSeekableStream.Over(bytes, maxChunk: 10_000)));

        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(path, bytes);
            await using var file = File.OpenRead(path);
            Assert.Equal(expected, await hasher.HashAsync(file));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Hashes_from_the_current_position()
    {
        var bytes = TestImages.UniquePng(100_000);
        var stream = new MemoryStream(bytes, 0, bytes.Length, writable: false, publiclyVisible: true) { Position = 10 };

        var digest = await new Sha256ContentHasher().HashAsync(stream);

        Assert.Equal(TestImages.DigestOf(bytes.AsSpan(10)), digest);
        Assert.Equal(bytes.Length, stream.Position);
    }

    [Theory]
    [InlineData(false, 0)]
    [InlineData(false, 10)]
    [InlineData(false, 99_990)]
    [InlineData(true, 10)]
    [InlineData(false, 100_000)]
    public async Task Hashes_a_file_from_its_position_whether_opened_for_sync_or_async_reads(bool asynchronous, int position)
    {
        // The first read is sized by the file's remaining length and, for a synchronous FileStream, done inline.
        var bytes = TestImages.UniquePng(100_000);
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(path, bytes);
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, asynchronous);
            file.Position = position;

            var digest = await new Sha256ContentHasher(chunkSize: 64 * 1024).HashAsync(file);

            Assert.Equal(TestImages.DigestOf(bytes.AsSpan(position)), digest);
            Assert.Equal(bytes.Length, file.Position);

            file.Position = 0;
            using var cts = new CancellationTokenSource();
            await cts.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await new Sha256ContentHasher().HashAsync(file, cts.Token));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(512)]
    public async Task Hashes_a_buffered_request_body_to_its_end_whether_untouched_or_peeked_and_rewound(int peek)
    {
        // Request.EnableBuffering(): CanSeek is true and Length counts only what has been buffered.
        var bytes = TestImages.UniquePng(300_000);
        await using var body = new FileBufferingReadStream(NonSeekableStream.Over(bytes, maxChunk: 16 * 1024), memoryThreshold: 30 * 1024);
        if (peek > 0)
        {
            await body.ReadExactlyAsync(new byte[peek]);
            body.Position = 0;
        }

        Assert.Equal(TestImages.DigestOf(bytes), await new Sha256ContentHasher(chunkSize: 64 * 1024).HashAsync(body));
    }

    [Fact]
    public async Task Hashes_what_any_stream_yields_from_its_position_to_the_read_that_returns_0()
    {
        var gen = Gen.Select(
            Gen.Frequency((3, Gen.Int[0, 3_000]), (2, Gen.Int[65_530, 65_540]), (2, Gen.Int[3_000, 300_000])),
            Gen.Int[0, 2_000],
            Gen.Bool,
            Gen.Enum<LengthClaim>(),
            Gen.Bool,
            Gen.Frequency((1, Gen.Int[1, 64]), (2, Gen.Int[65, 100_000]), (1, Gen.Const(int.MaxValue))),
            Gen.Int);
        var hasher = new Sha256ContentHasher(chunkSize: 64 * 1024);

        await gen.SampleAsync(
            async (length, padding, canSeek, claim, positionThrows, maxRead, seed) =>
            {
                var content = new byte[length];
                new Random(seed).NextBytes(content);
                var stream = new ScriptedStream(content, padding, canSeek, claim, positionThrows, maxRead, seed);

                Assert.Equal(TestImages.DigestOf(content), await hasher.HashAsync(stream));
            },
            iter: 200);
    }

    [Fact]
    public async Task Hashes_a_type_derived_from_MemoryStream_by_reading_it_and_a_memory_stream_positioned_past_its_end_as_empty()
    {
        var bytes = TestImages.UniquePng(5_000);
        var hasher = new Sha256ContentHasher(chunkSize: 64 * 1024);

        var encoded = bytes.Select(b => (byte)(b ^ 0x5A)).ToArray();
        Assert.Equal(TestImages.DigestOf(bytes.AsSpan(100)), await hasher.HashAsync(new DecodingMemoryStream(encoded) { Position = 100 }));
        Assert.Equal(TestImages.DigestOf([]), await hasher.HashAsync(new MemoryStream(bytes, 0, bytes.Length, writable: false, publiclyVisible: true) { Position = 9_000 }));
    }

    [Fact]
    public async Task Incremental_hash_equals_the_stream_hash()
    {
        var bytes = TestImages.UniquePng(200_000);
        var hasher = new Sha256ContentHasher();
        using var hash = hasher.CreateHash();
        hash.Append(bytes.AsSpan(0, 1));
        hash.Append(bytes.AsSpan(1, 99_999));
        hash.Append(bytes.AsSpan(100_000));

        Assert.Equal(await hasher.HashAsync(new MemoryStream(bytes)), hash.Finish());
        Assert.Equal("sha256", hasher.Algorithm);
    }

    [Fact]
    public async Task Read_errors_and_cancellation_surface()
    {
        var hasher = new Sha256ContentHasher(chunkSize: 64 * 1024);
        var bytes = TestImages.UniquePng(500_000);

        await Assert.ThrowsAsync<IOException>(async () => await hasher.HashAsync(new FaultingStream(bytes, 300_000)));
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await hasher.HashAsync(NonSeekableStream.Over(bytes), cts.Token));
    }

    /// <summary>A MemoryStream that decodes as it reads (XOR 0x5A): its buffer is not what it yields.</summary>
    private sealed class DecodingMemoryStream(byte[] encoded) : MemoryStream(encoded, 0, encoded.Length, writable: false, publiclyVisible: true)
    {
        // MemoryStream's span overloads of a derived type come back here through Stream's.
        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = base.Read(buffer, offset, count);
            for (var i = offset; i < offset + n; i++)
            {
                buffer[i] ^= 0x5A;
            }

            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => Task.FromResult(Read(buffer, offset, count));
    }
}
