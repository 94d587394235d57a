using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using ImageDedup.Storage;
using ImageDedup.Testing.Content;
using ImageDedup.Testing.Stores;
using Microsoft.Extensions.DependencyInjection;

namespace ImageDedup.S3.Tests;

/// <summary>
/// Blobs above the threshold (5 MiB here) go multipart: checksummed parts, the digest in the
/// object's metadata, byte-for-byte round trips, and an abort on every failure.
/// </summary>
public sealed class MultipartTests
{
    private const int MiB = 1024 * 1024;

    [Fact]
    public async Task A_12_MiB_image_goes_multipart_through_the_engine_and_round_trips_byte_for_byte()
    {
        using var s3 = await RecordedStore.CreateAsync("multipart", SmallParts);
        await using var references = new SqliteStoreFactory();
        await using var provider = Engine(await references.CreateAsync(), s3.Store);
        var engine = provider.GetRequiredService<IImageDedup>();
        var bytes = TestImages.UniquePng(12 * MiB + 12_345);

        var ingest = await engine.DefaultScope.IngestAsync(NonSeekableStream.Over(bytes, maxChunk: 64 * 1024), new IngestRequest { Holder = "big/1" });

        Assert.True(ingest.StoredNewBytes);
        Assert.Single(s3.Wire.Where(HttpMethod.Post, "uploads"));
        var parts = s3.Wire.Where(HttpMethod.Put, "partNumber").ToList();
        Assert.Equal(3, parts.Count);
        for (var i = 0; i < parts.Count; i++)
        {
            var slice = bytes.AsSpan(i * 5 * MiB, Math.Min(5 * MiB, bytes.Length - (i * 5 * MiB)));
            Assert.Equal(Convert.ToBase64String(SHA256.HashData(slice)), parts[i].Header("x-amz-checksum-sha256"));
            Assert.DoesNotContain("aws-chunked", parts[i].Header("Content-Encoding") ?? string.Empty, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(slice.Length, parts[i].ContentLength);
        }

        Assert.Single(s3.Wire.Where(HttpMethod.Post, "uploadId"));
        Assert.Empty(s3.Wire.Where(HttpMethod.Delete, "uploadId"));

        var head = await s3.Direct.GetObjectMetadataAsync(s3.Options.BucketName, s3.Options.KeyPrefix + ingest.Original.StorageKey);
        Assert.Equal(ingest.Original.Digest.Hex, head.Metadata["x-amz-meta-sha256"]);
        Assert.Equal(bytes.Length, head.ContentLength);

        await using var read = await engine.DefaultScope.OpenReadAsync(ingest.Original.Id, new ReadOptions { Verify = true });
        using var copy = new MemoryStream();
        await read.CopyToAsync(copy);
        Assert.True(bytes.AsSpan().SequenceEqual(copy.ToArray()), "the multipart blob differs from the ingested bytes");
    }

    [Fact]
    public async Task A_content_stream_that_breaks_half_way_aborts_the_upload_and_surfaces_its_own_exception()
    {
        using var s3 = await RecordedStore.CreateAsync("multipart-break", SmallParts);
        var content = TestImages.UniquePng(12 * MiB);
        var key = WireTests.Key(content);
        var fault = new IOException("The upload source broke (injected).");

        var error = await Assert.ThrowsAsync<IOException>(() => s3.Store.WriteAsync(key, new FaultingStream(content, 7 * MiB, () => fault), Metadata(content)));

        Assert.Same(fault, error);
        await AssertAbortedAndAbsentAsync(s3, key);
    }

    [Fact]
    public async Task Corrupt_bytes_found_on_the_last_read_abort_the_upload_and_propagate()
    {
        using var s3 = await RecordedStore.CreateAsync("multipart-corrupt", SmallParts);
        var content = TestImages.UniquePng(11 * MiB);
        var key = WireTests.Key(content);
        var corrupt = new ContentIntegrityException("The content hashes to something else (injected on the last read).");

        // The engine's verifying stream throws exactly like this when its last byte has been read.
        var error = await Assert.ThrowsAsync<ContentIntegrityException>(() => s3.Store.WriteAsync(key, new FaultingStream(content, content.Length - 1, () => corrupt), Metadata(content)));

        Assert.Same(corrupt, error);
        Assert.Equal(2, s3.Wire.Where(HttpMethod.Put, "partNumber").Count());
        Assert.Empty(s3.Wire.Where(HttpMethod.Post, "uploadId"));
        await AssertAbortedAndAbsentAsync(s3, key);
    }

    [Fact]
    public async Task Cancelling_half_way_aborts_the_upload()
    {
        using var s3 = await RecordedStore.CreateAsync("multipart-cancel", SmallParts);
        var content = TestImages.UniquePng(12 * MiB);
        var key = WireTests.Key(content);
        using var cancellation = new CancellationTokenSource();
        var stream = NonSeekableStream.Over(content, maxChunk: 256 * 1024, onRead: read =>
        {
            if (read >= 6 * MiB)
            {
                cancellation.Cancel();
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => s3.Store.WriteAsync(key, stream, Metadata(content), cancellation.Token));

        await AssertAbortedAndAbsentAsync(s3, key);
    }

    [Fact]
    public async Task A_server_that_fails_a_part_for_good_gets_the_upload_aborted_and_the_error_surfaces_typed()
    {
        using var s3 = await RecordedStore.CreateAsync("multipart-server", SmallParts);
        s3.Wire.Intercept = request => request.Method == HttpMethod.Put && request.Uri.Query.Contains("partNumber=2", StringComparison.Ordinal)
            ? WireRecorder.Error(HttpStatusCode.Forbidden, "AccessDenied")
            : null;
        var content = TestImages.UniquePng(12 * MiB);
        var key = WireTests.Key(content);

        var error = await Assert.ThrowsAsync<AmazonS3Exception>(() => s3.Store.WriteAsync(key, new MemoryStream(content), Metadata(content)));

        Assert.Equal("AccessDenied", error.ErrorCode);
        await AssertAbortedAndAbsentAsync(s3, key);
    }

    [Fact]
    public async Task The_part_size_grows_so_that_no_upload_needs_more_than_10000_parts()
    {
        var settings = new S3UploadSettings("bucket", 5 * MiB, 5 * MiB, UseChunkEncoding: false);

        Assert.Equal(5 * MiB, settings.PartSizeFor(12 * MiB));
        Assert.Equal(5L * MiB, settings.PartSizeFor(10_000L * 5 * MiB));
        Assert.Equal(6L * MiB, settings.PartSizeFor((10_000L * 5 * MiB) + 1));
        Assert.True(settings.PartSizeFor(1L << 40) * 10_000 >= 1L << 40);
    }

    private static void SmallParts(S3BlobStoreOptions options)
    {
        options.MultipartThreshold = 5 * MiB;
        options.PartSize = 5 * MiB;
    }

    private static BlobMetadata Metadata(byte[] content) => new(TestImages.DigestOf(content), content.Length, "image/png");

    private static ServiceProvider Engine(IReferenceStore references, IBlobStore blobs)
    {
        var services = new ServiceCollection();
        services.AddImageDedup();
        services.AddSingleton(references);
        services.AddSingleton(blobs);
        return services.BuildServiceProvider();
    }

    private static async Task AssertAbortedAndAbsentAsync(RecordedStore s3, string key)
    {
        var abort = Assert.Single(s3.Wire.Where(HttpMethod.Delete, "uploadId"));
        Assert.EndsWith("/" + s3.Options.KeyPrefix + key, abort.Uri.AbsolutePath, StringComparison.Ordinal);
        Assert.Null(await s3.Store.GetPropertiesAsync(key));
        await Assert.ThrowsAsync<BlobNotFoundException>(() => s3.Store.OpenReadAsync(key));
        var listed = await s3.Direct.ListObjectsV2Async(new ListObjectsV2Request { BucketName = s3.Options.BucketName, Prefix = s3.Options.KeyPrefix });
        Assert.Empty(listed.S3Objects ?? []);
    }
}
