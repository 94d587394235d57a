using ImageDedup.Hashing;
using ImageDedup.Ingest;
using ImageDedup.Testing.Content;

namespace ImageDedup.Tests;

public class DigestCheckingStreamTests
{
    private static readonly Sha256ContentHasher Hasher = new();

    [Theory]
    [InlineData(1)]
    [InlineData(1 << 20)]
    [InlineData((7 << 20) / 2)]
    public async Task Async_readers_get_every_byte_when_the_digest_matches(int length)
    {
        var bytes = TestImages.Png(seed: length, Math.Max(length, 16));
        await using var stream = Open(bytes, TestImages.DigestOf(bytes));

        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, 80 * 1024);

        Assert.Equal(bytes, copy.ToArray());
    }

    [Theory]
    [InlineData(5_000)]
    [InlineData((7 << 20) / 2)]
    public async Task A_mismatch_throws_on_the_last_read_for_async_and_sync_readers(int length)
    {
        var bytes = TestImages.Png(seed: length, length);
        var wrong = TestImages.DigestOf(TestImages.UniquePng());

        await using (var asyncReader = Open(bytes, wrong))
        {
            await Assert.ThrowsAsync<ContentIntegrityException>(() => asyncReader.CopyToAsync(Stream.Null));
        }

        using var syncReader = Open(bytes, wrong);
        Assert.Throws<ContentIntegrityException>(() => syncReader.CopyTo(Stream.Null));
    }

    [Fact]
    public async Task A_reader_that_stops_at_the_declared_length_still_gets_the_check()
    {
        var bytes = TestImages.UniquePng(3 << 20);
        await using var stream = Open(bytes, TestImages.DigestOf(TestImages.UniquePng()));
        var buffer = new byte[64 * 1024];
        long total = 0;

        var ex = await Assert.ThrowsAsync<ContentIntegrityException>(async () =>
        {
            while (total < bytes.Length)
            {
                total += await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, bytes.Length - total)));
            }
        });

        Assert.Contains("changed or was corrupted", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_short_inner_stream_is_an_integrity_failure()
    {
        var bytes = TestImages.UniquePng(2 << 20);
        await using var stream = new DigestCheckingStream(new MemoryStream(bytes, 0, bytes.Length - 10), Hasher.CreateHash(), TestImages.DigestOf(bytes), bytes.Length, leaveOpen: false);

        var ex = await Assert.ThrowsAsync<ContentIntegrityException>(() => stream.CopyToAsync(Stream.Null));
        Assert.Contains("ended after", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mixed_sync_and_async_reads_keep_the_hash_in_byte_order()
    {
        var bytes = TestImages.UniquePng(5 << 20);
        await using var stream = Open(bytes, TestImages.DigestOf(bytes));
        var buffer = new byte[700_000];
        using var copy = new MemoryStream();
        var useAsync = true;
        while (true)
        {
            var read = useAsync ? await stream.ReadAsync(buffer) : stream.Read(buffer);
            if (read == 0)
            {
                break;
            }

            copy.Write(buffer, 0, read);
            useAsync = !useAsync;
        }

        Assert.Equal(bytes, copy.ToArray());
    }

    private static DigestCheckingStream Open(byte[] bytes, ContentDigest digest)
        => new(new MemoryStream(bytes), Hasher.CreateHash(), digest, bytes.Length, leaveOpen: false);
}
