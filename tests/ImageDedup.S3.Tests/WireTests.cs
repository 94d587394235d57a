using System.Security.Cryptography;
using ImageDedup.Storage;
using ImageDedup.Testing.Content;

namespace ImageDedup.S3.Tests;

/// <summary>
/// What s3rver cannot show (it checks no checksum and decodes no aws-chunked body), observed on
/// the wire: the SHA-256 travels with every upload, and chunk encoding is off.
/// </summary>
public sealed class WireTests
{
    [Fact]
    public async Task A_single_put_carries_the_content_sha256_as_checksum_and_signed_payload_hash_without_chunk_encoding()
    {
        using var s3 = await RecordedStore.CreateAsync("wire");
        var content = TestImages.UniquePng(300_000);
        var digest = SHA256.HashData(content);
        var key = Key(content);

        await s3.Store.WriteAsync(key, NonSeekableStream.Over(content, maxChunk: 5000), new BlobMetadata(TestImages.DigestOf(content), content.Length, "image/png"));

        var put = Assert.Single(s3.Wire.Where(HttpMethod.Put));
        Assert.Equal(Convert.ToBase64String(digest), put.Header("x-amz-checksum-sha256"));
        Assert.Equal(Convert.ToHexStringLower(digest), put.Header("x-amz-content-sha256"));
        Assert.DoesNotContain("aws-chunked", put.Header("Content-Encoding") ?? string.Empty, StringComparison.OrdinalIgnoreCase);
        Assert.Null(put.Header("x-amz-decoded-content-length"));
        Assert.Null(put.Header("x-amz-trailer"));
        Assert.Equal(content.Length, put.ContentLength);
        Assert.Equal("image/png", put.Header("Content-Type"));
        Assert.Equal(Convert.ToHexStringLower(digest), put.Header("x-amz-meta-sha256"));
        Assert.EndsWith("/" + s3.Options.KeyPrefix + key, put.Uri.AbsolutePath, StringComparison.Ordinal);
        Assert.Equal(content, await ReadAllAsync(s3.Store, key));
    }

    [Fact]
    public async Task A_range_read_sends_the_range_header_and_streams_just_those_bytes()
    {
        using var s3 = await RecordedStore.CreateAsync("wire-range");
        var content = TestImages.UniquePng(100_000);
        var key = Key(content);
        await s3.Store.WriteAsync(key, new MemoryStream(content), new BlobMetadata(TestImages.DigestOf(content), content.Length, "image/png"));

        var slice = await ReadAllAsync(s3.Store, key, new ByteRange(1000, 250));

        Assert.Equal(content.AsSpan(1000, 250).ToArray(), slice);
        var get = Assert.Single(s3.Wire.Where(HttpMethod.Get));
        Assert.Equal("bytes=1000-1249", get.Header("Range"));
    }

    internal static string Key(byte[] content)
    {
        var hex = TestImages.DigestOf(content).Hex;
        return $"sha256/{hex[..2]}/{hex[2..4]}/{hex}.{Guid.NewGuid():N}";
    }

    internal static async Task<byte[]> ReadAllAsync(IBlobStore store, string key, ByteRange? range = null)
    {
        await using var stream = await store.OpenReadAsync(key, range);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }
}
