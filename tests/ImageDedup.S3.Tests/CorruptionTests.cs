using Amazon.S3.Model;
using ImageDedup.Testing.Content;
using ImageDedup.Testing.Servers;
using ImageDedup.Testing.Stores;
using Microsoft.Extensions.DependencyInjection;

namespace ImageDedup.S3.Tests;

/// <summary>
/// Bytes that rot in the bucket are caught on read by the engine's verify-while-streaming. The
/// object is corrupted behind the server's back: on s3rver's disk when the test knows where it
/// keeps objects, else by overwriting the object with a raw client.
/// </summary>
public sealed class CorruptionTests
{
    [Fact]
    public async Task A_corrupted_object_fails_a_verified_read_at_the_end_with_ContentIntegrityException()
    {
        var server = await TestS3.ServerAsync();
        using var s3 = await RecordedStore.CreateAsync("corruption");
        await using var references = new SqliteStoreFactory();
        var services = new ServiceCollection();
        services.AddImageDedup();
        services.AddSingleton(await references.CreateAsync());
        services.AddSingleton<Storage.IBlobStore>(s3.Store);
        await using var provider = services.BuildServiceProvider();
        var engine = provider.GetRequiredService<IImageDedup>();
        var bytes = TestImages.UniquePng(200_000);
        var ingest = await engine.DefaultScope.IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = "h" });
        var objectKey = s3.Options.KeyPrefix + ingest.Original.StorageKey;

        await CorruptAsync(server, s3, objectKey, bytes, flipAt: 150_000);

        await using var read = await engine.DefaultScope.OpenReadAsync(ingest.Original.Id, new ReadOptions { Verify = true });
        var buffer = new byte[16 * 1024];
        var total = 0L;
        var error = await Assert.ThrowsAsync<ContentIntegrityException>(async () =>
        {
            int n;
            while ((n = await read.ReadAsync(buffer)) > 0)
            {
                total += n;
            }
        });

        // The bytes streamed to the end; the check fired on the last read. Either the store's own
        // check (the checksum or MD5 the server kept) or the engine's digest check catches it first.
        Assert.InRange(total, bytes.Length - buffer.Length, bytes.Length);
        Assert.False(string.IsNullOrEmpty(error.Message));
    }

    private static async Task CorruptAsync(S3TestServer server, RecordedStore s3, string objectKey, byte[] bytes, int flipAt)
    {
        if (server.Directory is { } directory)
        {
            // s3rver keeps an object as <dir>/<bucket>/<key folders>/<last segment>._S3rver_object.
            var segments = objectKey.Split('/');
            var path = Path.Combine([directory, server.BucketName, .. segments[..^1], segments[^1] + "._S3rver_object"]);
            Assert.True(File.Exists(path), $"s3rver's object file {path} is missing");
            await using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
            file.Position = flipAt;
            var original = file.ReadByte();
            file.Position = flipAt;
            file.WriteByte((byte)(original ^ 0xFF));
            return;
        }

        var corrupt = (byte[])bytes.Clone();
        corrupt[flipAt] ^= 0xFF;
        await s3.Direct.PutObjectAsync(new PutObjectRequest { BucketName = s3.Options.BucketName, Key = objectKey, InputStream = new MemoryStream(corrupt), UseChunkEncoding = false });
    }
}
