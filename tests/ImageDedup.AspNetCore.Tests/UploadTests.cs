using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ImageDedup.Testing.Content;
using ImageDedup.Testing.Servers;

namespace ImageDedup.AspNetCore.Tests;

/// <summary>Receiving uploads over HTTP: stored whole as a stream, or refused in the package's words with nothing left.</summary>
public abstract class UploadTests : IAsyncLifetime
{
    private const string Tenant = "uploads";
    private readonly List<TestSite> _sites = [];

    protected TestSite Site { get; private set; } = null!;

    protected abstract Task<Backend> CreateBackendAsync();

    public async Task InitializeAsync() => Site = await StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var site in _sites)
        {
            await site.DisposeAsync();
            site.Backend.Dispose();
            Assert.Empty(site.Errors);
        }
    }

    public enum Body
    {
        Raw,
        Chunked,
        Multipart,
    }

    [Theory]
    [InlineData(Body.Raw, false)]
    [InlineData(Body.Raw, true)]
    [InlineData(Body.Chunked, false)]
    [InlineData(Body.Chunked, true)]
    [InlineData(Body.Multipart, false)]
    [InlineData(Body.Multipart, true)]
    public async Task A_12_MiB_upload_is_stored_whole(Body body, bool buffered)
    {
        var bytes = TestImages.Png(Random.Shared.Next(), 12 << 20);

        using var response = await Site.Client.SendAsync(Upload("/images", Content(body, bytes), buffered));

        var stored = await StoredAsync(response);
        Assert.Equal(TestImages.DigestOf(bytes).ToString(), stored.GetProperty("digest").GetString());
        Assert.Equal(bytes.Length, stored.GetProperty("length").GetInt64());
        Assert.Equal("image/png", stored.GetProperty("contentType").GetString());
        Assert.True(stored.GetProperty("storedNewBytes").GetBoolean());
        Assert.Equal(bytes, await ReadBackAsync(stored.GetProperty("id").GetGuid()));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Site.Backend.SpoolDirectory));
    }

    [Fact]
    public async Task An_upload_above_the_servers_default_limit_and_within_MaxImageBytes_is_stored()
    {
        const long length = 32_000_000;
        var seed = Random.Shared.Next();
        var content = new StreamContent(new GeneratedPngStream(seed, length));
        content.Headers.ContentLength = length;

        using var response = await Site.Client.SendAsync(Upload("/images", content));

        var stored = await StoredAsync(response);
        Assert.Equal(GeneratedPngStream.DigestOf(seed, length).ToString(), stored.GetProperty("digest").GetString());
        Assert.Equal(length, stored.GetProperty("length").GetInt64());
    }

    [Fact]
    public async Task The_named_form_field_is_ingested_after_other_parts_with_the_holder()
    {
        var image = TestImages.Jpeg(Random.Shared.Next(), 300_000);
        var decoy = TestImages.Png(Random.Shared.Next(), 200_000);
        var form = new MultipartFormDataContent
        {
            { new StringContent("a caption"), "caption" },
            { Part(decoy, "image/png"), "thumbnail", "thumb.png" },
            { Part(image, "image/jpeg"), "photo", "photo.jpg" },
        };

        using var response = await Site.Client.SendAsync(Upload("/photos?holder=albums/1/photos/2", form));

        var stored = await StoredAsync(response);
        Assert.Equal(TestImages.DigestOf(image).ToString(), stored.GetProperty("digest").GetString());
        Assert.True(stored.GetProperty("referenceAdded").GetBoolean());
        var held = await Site.Scope(Tenant).FindByHolderAsync("albums/1/photos/2");
        Assert.Equal(stored.GetProperty("id").GetGuid(), held!.Id);
        Assert.Single((await Site.Scope(Tenant).ListOriginalsAsync()).Items);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_host_transaction_flow_commits_the_host_row_and_the_reference_together(bool rollback)
    {
        var bytes = TestImages.Png(Random.Shared.Next(), 1 << 20);

        using var response = await Site.Client.SendAsync(Upload(rollback ? "/albums/photos?rollback=1" : "/albums/photos", Content(Body.Multipart, bytes)));

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var photo = Guid.Parse(body);
        var (connection, table) = Site.Backend.HostDatabase();
        var held = await Site.Scope(Tenant).FindByHolderAsync($"photos/{photo}");
        var original = await Site.Scope(Tenant).FindByDigestAsync(TestImages.DigestOf(bytes));
        Assert.NotNull(original);
        Assert.Equal(rollback ? 0 : 1, await HostTransaction.CountAsync(connection, table, photo));
        Assert.Equal(rollback ? null : original.Id, held?.Id);
        Assert.Equal(rollback ? 0 : 1, original.ReferenceCount);
    }

    [Theory]
    [InlineData(Body.Raw)]
    [InlineData(Body.Chunked)]
    [InlineData(Body.Multipart)]
    public async Task An_oversized_upload_below_the_servers_default_limit_is_413(Body body)
    {
        // Over MaxImageBytes by less than the envelope, so the server can read the rest and the client sees the answer.
        var small = await StartAsync(o => o.MaxImageBytes = 8 << 20);
        var bytes = TestImages.Png(Random.Shared.Next(), (8 << 20) + (512 << 10));

        using var response = await small.Client.SendAsync(Upload("/images", Content(body, bytes)));

        await Problem.AssertAsync(response, HttpStatusCode.RequestEntityTooLarge, ImageDedupProblemTypes.ContentTooLarge);
        await AssertNothingLeftAsync(small);
    }

    [Theory]
    [InlineData(Body.Raw)]
    [InlineData(Body.Chunked)]
    [InlineData(Body.Multipart)]
    public async Task An_upload_above_MaxImageBytes_and_the_servers_default_limit_is_413(Body body)
    {
        // The engine's default of 50 MiB, one byte over, generated as it is sent.
        const long length = (50L << 20) + 1;
        HttpContent content = new StreamContent(new GeneratedPngStream(Random.Shared.Next(), length));
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        if (body == Body.Raw)
        {
            content.Headers.ContentLength = length;
        }
        else if (body == Body.Multipart)
        {
            content = new MultipartFormDataContent { { content, "file", "big.png" } };
        }

        var request = Upload("/images", content);

        // A declared length is refused before a byte is read, and Kestrel drains an unread body only
        // for a few seconds: a client sending that much asks first. The others are read to the limit.
        request.Headers.ExpectContinue = body == Body.Raw;
        using var response = await Site.Client.SendAsync(request);

        await Problem.AssertAsync(response, HttpStatusCode.RequestEntityTooLarge, ImageDedupProblemTypes.ContentTooLarge);
        await AssertNothingLeftAsync(Site);
    }

    [Fact]
    public async Task A_client_that_expects_100_continue_gets_413_for_a_declared_length_far_over_the_limit_without_sending_it()
    {
        var small = await StartAsync(o => o.MaxImageBytes = 8 << 20);
        const long length = 40L << 20;
        var source = new GeneratedPngStream(Random.Shared.Next(), length);
        var content = new StreamContent(source);
        content.Headers.ContentLength = length;
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        var request = Upload("/images", content);
        request.Headers.ExpectContinue = true;

        using var response = await small.Client.SendAsync(request);

        await Problem.AssertAsync(response, HttpStatusCode.RequestEntityTooLarge, ImageDedupProblemTypes.ContentTooLarge);
        Assert.Equal(0, source.BytesRead);
        await AssertNothingLeftAsync(small);
    }

    [Theory]
    [InlineData(Body.Raw)]
    [InlineData(Body.Multipart)]
    public async Task A_non_image_is_415(Body body)
    {
        using var response = await Site.Client.SendAsync(Upload("/images", Content(body, TestImages.NotAnImage(100_000), "application/pdf")));

        await Problem.AssertAsync(response, HttpStatusCode.UnsupportedMediaType, ImageDedupProblemTypes.NotAnImage);
        await AssertNothingLeftAsync(Site);
    }

    [Theory]
    [InlineData(Body.Raw)]
    [InlineData(Body.Chunked)]
    [InlineData(Body.Multipart)]
    public async Task An_empty_upload_is_400(Body body)
    {
        using var response = await Site.Client.SendAsync(Upload("/images", Content(body, [])));

        await Problem.AssertAsync(response, HttpStatusCode.BadRequest, ImageDedupProblemTypes.EmptyContent);
        await AssertNothingLeftAsync(Site);
    }

    [Theory]
    [InlineData(Body.Raw, false)]
    [InlineData(Body.Multipart, false)]
    [InlineData(Body.Multipart, true)]
    public async Task A_truncated_image_is_400(Body body, bool buffered)
    {
        var whole = TestImages.Png(Random.Shared.Next(), 3 << 20);

        using var response = await Site.Client.SendAsync(Upload("/images", Content(body, whole[..^100_000]), buffered));

        await Problem.AssertAsync(response, HttpStatusCode.BadRequest, ImageDedupProblemTypes.TruncatedImage);
        await AssertNothingLeftAsync(Site);
    }

    [Fact]
    public async Task A_multipart_body_without_a_file_part_is_400()
    {
        var form = new MultipartFormDataContent { { new StringContent("no file here"), "caption" } };

        using var response = await Site.Client.SendAsync(Upload("/images", form));

        await Problem.AssertAsync(response, HttpStatusCode.BadRequest, ImageDedupProblemTypes.MalformedMultipart);
    }

    [Fact]
    public async Task A_multipart_body_that_ends_inside_its_part_is_400()
    {
        var image = TestImages.Png(Random.Shared.Next(), 2 << 20);
        var body = MultipartPrefix(image);

        var (status, response) = await RawHttp.SendAsync(Site.BaseAddress, "/images", "multipart/form-data; boundary=b0undary", body.Length, body, Headers(buffered: false), halfClose: false);

        Assert.True(status == 400, response);
        Assert.Contains(ImageDedupProblemTypes.MalformedMultipart, response, StringComparison.Ordinal);
        await AssertNothingLeftAsync(Site);
    }

    [Theory]
    [InlineData(Body.Raw, false)]
    [InlineData(Body.Raw, true)]
    [InlineData(Body.Multipart, false)]
    [InlineData(Body.Multipart, true)]
    public async Task A_body_cut_short_of_its_content_length_leaves_nothing(Body body, bool buffered)
    {
        var image = TestImages.Png(Random.Shared.Next(), 6 << 20);
        var (sent, contentType) = Framed(body, image);

        var (status, response) = await RawHttp.SendAsync(Site.BaseAddress, "/images", contentType, sent.Length + 1_000_000, sent.AsMemory(0, 3 << 20), Headers(buffered), halfClose: true);

        // Kestrel may take the half-close for a disconnect (no answer) or answer the short body; either way it is refused.
        Assert.True(status is 0 or 400, response);
        await AssertEventuallyNothingLeftAsync(Site);
    }

    [Theory]
    [InlineData(Body.Raw, false)]
    [InlineData(Body.Raw, true)]
    [InlineData(Body.Multipart, false)]
    [InlineData(Body.Multipart, true)]
    public async Task A_client_that_disconnects_mid_upload_leaves_nothing(Body body, bool buffered)
    {
        var image = TestImages.Png(Random.Shared.Next(), 8 << 20);
        var (sent, contentType) = Framed(body, image);

        await RawHttp.SendAndResetAsync(Site.BaseAddress, "/images", contentType, sent.Length + 100, sent.AsMemory(0, 5 << 20), Headers(buffered));

        await AssertEventuallyNothingLeftAsync(Site);
    }

    [Theory]
    [InlineData(Body.Raw, QuotaMeasure.StoredBytes)]
    [InlineData(Body.Raw, QuotaMeasure.Originals)]
    [InlineData(Body.Chunked, QuotaMeasure.StoredBytes)]
    [InlineData(Body.Multipart, QuotaMeasure.StoredBytes)]
    [InlineData(Body.Multipart, QuotaMeasure.Originals)]
    public async Task An_upload_past_the_scopes_quota_is_403_with_its_figures_stores_nothing_and_keeps_the_connection(Body body, QuotaMeasure measure)
    {
        // A tenant name the host never told its client: the refusal must not show it.
        const string tenant = "acct-7731-internal";
        var first = TestImages.Png(Random.Shared.Next(), 1 << 20);
        var second = TestImages.Png(Random.Shared.Next(), 2 << 20);
        var limit = measure == QuotaMeasure.StoredBytes ? first.Length + second.Length - 1 : 1L;
        var site = await StartAsync(o => o.ScopeQuotas[tenant] = measure == QuotaMeasure.StoredBytes
            ? new ScopeQuota { MaxStoredBytes = limit }
            : new ScopeQuota { MaxOriginals = limit });
        using (var stored = await site.Client.SendAsync(Upload("/images", Content(body, first), tenant: tenant)))
        {
            await StoredAsync(stored);
        }

        var connections = site.Connections;

        using var response = await site.Client.SendAsync(Upload("/images", Content(body, second), tenant: tenant));

        var problem = await Problem.AssertAsync(response, HttpStatusCode.Forbidden, ImageDedupProblemTypes.QuotaExceeded);
        Assert.Equal(measure == QuotaMeasure.StoredBytes ? "storedBytes" : "originals", problem.GetProperty("measure").GetString());
        Assert.Equal(limit, problem.GetProperty("limit").GetInt64());
        Assert.Equal(measure == QuotaMeasure.StoredBytes ? first.Length : 1, problem.GetProperty("usage").GetInt64());
        Assert.Equal(measure == QuotaMeasure.StoredBytes ? second.Length : 1, problem.GetProperty("requested").GetInt64());
        Assert.DoesNotContain(tenant, problem.GetRawText(), StringComparison.Ordinal);
        Assert.False(problem.TryGetProperty("scope", out _));

        // Nothing of the refused upload: the first original alone, its blob alone, no spool file.
        var originals = (await site.Scope(tenant).ListOriginalsAsync()).Items;
        Assert.Equal([TestImages.DigestOf(first)], originals.Select(o => o.Digest));
        Assert.Single(await BlobsAsync(site));
        Assert.Equal(0, await site.Blobs.DeleteIncompleteWritesAsync(TimeSpan.Zero));
        Assert.Empty(Directory.EnumerateFileSystemEntries(site.Backend.SpoolDirectory));

        // The connection is still usable: bytes the scope already holds never count, so this is stored on it.
        Assert.NotEqual(true, response.Headers.ConnectionClose);
        using var again = await site.Client.SendAsync(Upload("/images", Content(body, first), tenant: tenant));
        Assert.False((await StoredAsync(again)).GetProperty("storedNewBytes").GetBoolean());
        Assert.Equal(connections, site.Connections);
    }

    [Theory]
    [InlineData(Body.Raw, false)]
    [InlineData(Body.Raw, true)]
    [InlineData(Body.Chunked, false)]
    [InlineData(Body.Multipart, false)]
    [InlineData(Body.Multipart, true)]
    public async Task An_upload_of_blocked_content_is_451_stores_nothing_and_keeps_the_connection(Body body, bool everywhere)
    {
        var blocked = TestImages.Png(Random.Shared.Next(), 2 << 20);
        var digest = TestImages.DigestOf(blocked);
        var request = new BlockRequest { RequestedBy = "legal-desk@example.test", Reason = "notice 2024-117, confidential" };
        _ = everywhere ? await Site.Dedup.BlockEverywhereAsync(digest, request) : await Site.Scope(Tenant).BlockAsync(digest, request);
        using (var warm = await Site.Client.GetAsync($"/images/{Guid.NewGuid()}"))
        {
            await warm.Content.ReadAsStringAsync();
        }

        var connections = Site.Connections;

        using var response = await Site.Client.SendAsync(Upload("/images", Content(body, blocked)));

        // The same answer for the scope's entry and a global one, and none of the entry's own words.
        var problem = await Problem.AssertAsync(response, HttpStatusCode.UnavailableForLegalReasons, ImageDedupProblemTypes.BlockedContent);
        Assert.Equal(digest.ToString(), problem.GetProperty("digest").GetString());
        Assert.Equal("This image may not be stored here. Nothing was stored.", problem.GetProperty("detail").GetString());
        foreach (var secret in new[] { request.Reason, request.RequestedBy, Tenant })
        {
            Assert.DoesNotContain(secret, problem.GetRawText(), StringComparison.Ordinal);
        }

        await AssertNothingLeftAsync(Site);
        Assert.NotEqual(true, response.Headers.ConnectionClose);
        using var other = await Site.Client.SendAsync(Upload("/images", Content(body, TestImages.Png(Random.Shared.Next(), 1 << 20))));
        Assert.True((await StoredAsync(other)).GetProperty("storedNewBytes").GetBoolean());
        Assert.Equal(connections, Site.Connections);
    }

    [Fact]
    public async Task Blocked_bytes_the_scope_already_holds_are_451_and_attach_no_holder()
    {
        var image = TestImages.Jpeg(Random.Shared.Next(), 500_000);
        using (var first = await Site.Client.SendAsync(Upload("/photos?holder=albums/1/photos/1", PhotoForm(image))))
        {
            await StoredAsync(first);
        }

        await Site.Scope(Tenant).BlockAsync(TestImages.DigestOf(image), new BlockRequest { RequestedBy = "moderator", Reason = "abuse report" });

        using var response = await Site.Client.SendAsync(Upload("/photos?holder=albums/1/photos/2", PhotoForm(image)));

        await Problem.AssertAsync(response, HttpStatusCode.UnavailableForLegalReasons, ImageDedupProblemTypes.BlockedContent);
        Assert.Null(await Site.Scope(Tenant).FindByHolderAsync("albums/1/photos/2"));
        var original = Assert.Single((await Site.Scope(Tenant).ListOriginalsAsync()).Items);
        Assert.Equal(1, original.ReferenceCount);
        Assert.Single(await BlobsAsync(Site));
    }

    /// <summary>The bytes a raw or multipart upload of <paramref name="image"/> sends, and their content type.</summary>
    private static (byte[] Sent, string ContentType) Framed(Body body, byte[] image)
        => body == Body.Raw ? (image, "image/png") : (MultipartPrefix(image), "multipart/form-data; boundary=b0undary");

    protected async Task<TestSite> StartAsync(Action<ImageDedupOptions>? engine = null)
    {
        var site = await TestSite.StartAsync(await CreateBackendAsync(), engine);
        _sites.Add(site);
        return site;
    }

    protected static HttpRequestMessage Upload(string path, HttpContent content, bool buffered = false, string tenant = Tenant)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.Add(TestSite.TenantHeader, tenant);
        if (buffered)
        {
            request.Headers.Add(TestSite.BufferHeader, "1");
        }

        return request;
    }

    protected static async Task<JsonElement> StoredAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>
    /// <see cref="AssertNothingLeftAsync"/> once the server has handled the request the client gave up
    /// on. Idle alone is not enough: on a loaded machine the server may start handling that request
    /// only after the client has gone, when the site already looked idle. A leak stays; this waits
    /// only for work in progress.
    /// </summary>
    private static async Task AssertEventuallyNothingLeftAsync(TestSite site)
    {
        // Waits on what a handler still at work holds (its spool file, its pending row), never on
        // what the final check removes (an abandoned write), so a leak cannot pass on a second look.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline
               && (Directory.EnumerateFileSystemEntries(site.Backend.SpoolDirectory).Any()
                   || (await site.Scope(Tenant).ListOriginalsAsync()).Items.Count > 0))
        {
            await Task.Delay(200);
        }

        await site.IdleAsync();
        await AssertNothingLeftAsync(site);
    }

    /// <summary>No original of any state, no blob, no abandoned write and no spool file.</summary>
    protected static async Task AssertNothingLeftAsync(TestSite site)
    {
        Assert.Empty((await site.Scope(Tenant).ListOriginalsAsync()).Items);
        Assert.Equal(0, (await site.Dedup.GetStatisticsAsync()).UniqueOriginals);
        Assert.Empty(await BlobsAsync(site));
        Assert.Equal(0, await site.Blobs.DeleteIncompleteWritesAsync(TimeSpan.Zero));
        Assert.Empty(Directory.EnumerateFileSystemEntries(site.Backend.SpoolDirectory));
    }

    private static async Task<List<string>> BlobsAsync(TestSite site)
    {
        var blobs = new List<string>();
        await foreach (var blob in site.Blobs.ListAsync())
        {
            blobs.Add(blob.Key);
        }

        return blobs;
    }

    private static MultipartFormDataContent PhotoForm(byte[] jpeg) => new() { { Part(jpeg, "image/jpeg"), "photo", "photo.jpg" } };

    private async Task<byte[]> ReadBackAsync(Guid id)
    {
        await using var stored = await Site.Scope(Tenant).OpenReadAsync(id);
        var copy = new MemoryStream();
        await stored.CopyToAsync(copy);
        return copy.ToArray();
    }

    private static HttpContent Content(Body body, byte[] bytes, string type = "image/png") => body switch
    {
        Body.Raw => Part(bytes, type),
        Body.Chunked => new ChunkedContent(bytes, type),
        _ => new MultipartFormDataContent { { Part(bytes, type), "file", "upload.bin" } },
    };

    private static ByteArrayContent Part(byte[] bytes, string type)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(type);
        return content;
    }

    private static string Headers(bool buffered) => $"{TestSite.TenantHeader}: {Tenant}\r\n" + (buffered ? $"{TestSite.BufferHeader}: 1\r\n" : string.Empty);

    /// <summary>A multipart body up to and including its file part's bytes, without the closing boundary.</summary>
    private static byte[] MultipartPrefix(byte[] image)
    {
        var head = Encoding.ASCII.GetBytes("--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n");
        return [.. head, .. image];
    }

    /// <summary>Content with no length, so HttpClient sends it chunked, as streaming clients do.</summary>
    private sealed class ChunkedContent : HttpContent
    {
        private readonly byte[] _bytes;

        public ChunkedContent(byte[] bytes, string type)
        {
            _bytes = bytes;
            Headers.ContentType = new MediaTypeHeaderValue(type);
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(_bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}

public sealed class SqliteFileSystemUploadTests : UploadTests
{
    protected override Task<Backend> CreateBackendAsync() => Task.FromResult<Backend>(new SqliteFileSystemBackend());
}

public sealed class PostgresS3UploadTests(PostgresDatabase database) : UploadTests, IClassFixture<PostgresDatabase>
{
    protected override async Task<Backend> CreateBackendAsync() => await PostgresS3Backend.CreateAsync(database);
}
