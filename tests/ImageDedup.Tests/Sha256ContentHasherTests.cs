using System.Security.Cryptography;
using ImageDedup.Hashing;
using ImageDedup.Testing.Content;

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
}
