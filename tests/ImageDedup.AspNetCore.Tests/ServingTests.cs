using System.Net;
using System.Net.Http.Headers;
using ImageDedup.Testing.Content;
using ImageDedup.Testing.Servers;

namespace ImageDedup.AspNetCore.Tests;

/// <summary>Serving originals over HTTP: validators, preconditions, ranges and scopes, byte-exact.</summary>
public abstract class ServingTests : IAsyncLifetime
{
    private const int Size = 3 << 20;
    private TestSite _site = null!;
    private byte[] _bytes = null!;
    private Original _original = null!;

    protected HttpClient Client => _site.Client;

    protected TestSite Site => _site;

    protected abstract Task<Backend> CreateBackendAsync();

    public async Task InitializeAsync()
    {
        _site = await TestSite.StartAsync(await CreateBackendAsync());
        _bytes = TestImages.Png(Random.Shared.Next(), Size);
        _original = (await _site.Scope("tenant-a").IngestAsync(new MemoryStream(_bytes), new IngestRequest { Holder = "h/1" })).Original;
    }

    public async Task DisposeAsync()
    {
        await _site.DisposeAsync();
        _site.Backend.Dispose();
        Assert.Empty(_site.Errors);
    }

    [Fact]
    public async Task A_get_streams_the_whole_original_with_its_validators()
    {
        using var response = await SendAsync(HttpMethod.Get);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(_bytes, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal($"\"{_original.Digest}\"", response.Headers.ETag!.ToString());
        Assert.False(response.Headers.ETag.IsWeak);
        Assert.Equal("image/png", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(Size, response.Content.Headers.ContentLength);
        Assert.Equal(Truncate(_original.CreatedAt), response.Content.Headers.LastModified);
        Assert.Equal("public, max-age=31536000, immutable", response.Headers.CacheControl!.ToString());
        Assert.Contains("bytes", response.Headers.AcceptRanges);
    }

    [Fact]
    public async Task A_head_sends_the_headers_of_a_get_without_the_body()
    {
        using var response = await SendAsync(HttpMethod.Head);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Size, response.Content.Headers.ContentLength);
        Assert.Equal($"\"{_original.Digest}\"", response.Headers.ETag!.ToString());
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task If_none_match_with_the_etag_is_304_without_a_body(bool weak)
    {
        using var response = await SendAsync(HttpMethod.Get, r => r.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{_original.Digest}\"", weak)));

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
        Assert.Equal($"\"{_original.Digest}\"", response.Headers.ETag!.ToString());
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task If_none_match_with_another_etag_serves_the_original()
    {
        using var response = await SendAsync(HttpMethod.Get, r => r.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"sha256:other\"")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(_bytes, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task If_modified_since_its_creation_is_304()
    {
        using var response = await SendAsync(HttpMethod.Get, r => r.Headers.IfModifiedSince = Truncate(_original.CreatedAt));

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
    }

    [Theory]
    [InlineData("bytes=0-0", 0, 1)]
    [InlineData("bytes=1000-1999", 1000, 1000)]
    [InlineData("bytes=1048570-2097160", 1048570, 1048591)]
    [InlineData("bytes=3145000-", 3145000, Size - 3145000)]
    [InlineData("bytes=3145000-99999999", 3145000, Size - 3145000)]
    [InlineData("bytes=-100", Size - 100, 100)]
    [InlineData("bytes=-99999999", 0, Size)]
    public async Task A_single_range_is_206_with_exactly_those_bytes(string range, int offset, int length)
    {
        using var response = await SendAsync(HttpMethod.Get, r => r.Headers.TryAddWithoutValidation("Range", range));

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(_bytes.AsSpan(offset, length).ToArray(), await response.Content.ReadAsByteArrayAsync());
        Assert.Equal($"bytes {offset}-{offset + length - 1}/{Size}", response.Content.Headers.ContentRange!.ToString());
        Assert.Equal(length, response.Content.Headers.ContentLength);
        Assert.Equal($"\"{_original.Digest}\"", response.Headers.ETag!.ToString());
    }

    [Fact]
    public async Task A_head_with_a_range_sends_the_partial_headers_only()
    {
        using var response = await SendAsync(HttpMethod.Head, r => r.Headers.Range = new RangeHeaderValue(10, 19));

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(10, response.Content.Headers.ContentLength);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("bytes=3145728-")]
    [InlineData("bytes=4000000-4000010")]
    [InlineData("bytes=-0")]
    public async Task A_range_past_the_end_is_416_with_the_length(string range)
    {
        using var response = await SendAsync(HttpMethod.Get, r => r.Headers.TryAddWithoutValidation("Range", range));

        await Problem.AssertAsync(response, HttpStatusCode.RequestedRangeNotSatisfiable, ImageDedupProblemTypes.RangeNotSatisfiable);
        Assert.Equal($"bytes */{Size}", response.Content.Headers.ContentRange!.ToString());
    }

    [Theory]
    [InlineData("bytes=0-9,20-29")]
    [InlineData("pages=1-2")]
    [InlineData("bytes=9-0")]
    [InlineData("bytes=abc")]
    public async Task Several_or_unparseable_ranges_get_the_whole_original(string range)
    {
        using var response = await SendAsync(HttpMethod.Get, r => r.Headers.TryAddWithoutValidation("Range", range));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(_bytes, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task If_range_with_the_etag_applies_the_range()
    {
        using var response = await SendAsync(HttpMethod.Get, r =>
        {
            r.Headers.Range = new RangeHeaderValue(100, 199);
            r.Headers.IfRange = new RangeConditionHeaderValue($"\"{_original.Digest}\"");
        });

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(_bytes.AsSpan(100, 100).ToArray(), await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task If_range_with_the_last_modified_date_applies_the_range()
    {
        using var response = await SendAsync(HttpMethod.Get, r =>
        {
            r.Headers.Range = new RangeHeaderValue(100, 199);
            r.Headers.IfRange = new RangeConditionHeaderValue(Truncate(_original.CreatedAt));
        });

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
    }

    [Theory]
    [InlineData("\"sha256:changed\"")]
    [InlineData("W/\"{0}\"")]
    [InlineData("Mon, 01 Jan 2001 00:00:00 GMT")]
    public async Task If_range_that_does_not_match_gets_the_whole_original(string condition)
    {
        using var response = await SendAsync(HttpMethod.Get, r =>
        {
            r.Headers.Range = new RangeHeaderValue(100, 199);
            r.Headers.TryAddWithoutValidation("If-Range", string.Format(System.Globalization.CultureInfo.InvariantCulture, condition, _original.Digest));
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(_bytes, await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("\"{0}\"")]
    [InlineData("*")]
    [InlineData("\"sha256:other\", \"{0}\"")]
    public async Task If_match_that_matches_serves_the_original(string condition)
    {
        using var response = await SendAsync(HttpMethod.Get, r => r.Headers.TryAddWithoutValidation("If-Match", string.Format(System.Globalization.CultureInfo.InvariantCulture, condition, _original.Digest)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(_bytes, await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("\"sha256:other\"")]
    [InlineData("W/\"{0}\"")]
    public async Task If_match_that_does_not_match_strongly_is_412(string condition)
    {
        using var response = await SendAsync(HttpMethod.Get, r => r.Headers.TryAddWithoutValidation("If-Match", string.Format(System.Globalization.CultureInfo.InvariantCulture, condition, _original.Digest)));

        await Problem.AssertAsync(response, HttpStatusCode.PreconditionFailed, ImageDedupProblemTypes.PreconditionFailed);
    }

    [Fact]
    public async Task If_unmodified_since_before_its_creation_is_412()
    {
        using var response = await SendAsync(HttpMethod.Get, r => r.Headers.IfUnmodifiedSince = _original.CreatedAt.AddDays(-1));

        await Problem.AssertAsync(response, HttpStatusCode.PreconditionFailed, ImageDedupProblemTypes.PreconditionFailed);
    }

    [Fact]
    public async Task Another_scope_gets_the_same_404_as_an_original_that_does_not_exist()
    {
        using var otherScope = await SendAsync(HttpMethod.Get, r => r.Headers.Add(TestSite.TenantHeader, "tenant-b"));
        using var defaultScope = await SendAsync(HttpMethod.Get, r => r.Headers.Remove(TestSite.TenantHeader));
        using var unknown = await Client.SendAsync(Request(HttpMethod.Get, $"/images/{Guid.NewGuid()}"));
        using var notAGuid = await Client.SendAsync(Request(HttpMethod.Get, "/images/not-a-guid"));

        var problems = new[]
        {
            await Problem.AssertAsync(otherScope, HttpStatusCode.NotFound, ImageDedupProblemTypes.OriginalNotFound),
            await Problem.AssertAsync(defaultScope, HttpStatusCode.NotFound, ImageDedupProblemTypes.OriginalNotFound),
            await Problem.AssertAsync(unknown, HttpStatusCode.NotFound, ImageDedupProblemTypes.OriginalNotFound),
            await Problem.AssertAsync(notAGuid, HttpStatusCode.NotFound, ImageDedupProblemTypes.OriginalNotFound),
        };
        Assert.All(problems, p => Assert.Equal(problems[0].GetProperty("title").GetString(), p.GetProperty("title").GetString()));
        Assert.All(new[] { otherScope, defaultScope, unknown, notAGuid }, r => Assert.Null(r.Headers.ETag));
    }

    [Fact]
    public async Task Another_scope_cannot_get_a_range_or_a_signed_url_either()
    {
        using var range = await SendAsync(HttpMethod.Get, r =>
        {
            r.Headers.Add(TestSite.TenantHeader, "tenant-b");
            r.Headers.Range = new RangeHeaderValue(0, 9);
        });
        using var signed = await Client.SendAsync(Request(HttpMethod.Get, $"/signed/{_original.Id}", "tenant-b"));

        await Problem.AssertAsync(range, HttpStatusCode.NotFound, ImageDedupProblemTypes.OriginalNotFound);
        await Problem.AssertAsync(signed, HttpStatusCode.NotFound, ImageDedupProblemTypes.OriginalNotFound);
    }

    [Fact]
    public async Task A_released_original_is_404()
    {
        await Site.Scope("tenant-a").ReleaseAsync("h/1");

        using var response = await SendAsync(HttpMethod.Get);

        await Problem.AssertAsync(response, HttpStatusCode.NotFound, ImageDedupProblemTypes.OriginalNotFound);
    }

    [Fact]
    public async Task The_signed_url_option_redirects_when_the_store_can_sign_and_streams_otherwise()
    {
        using var response = await Client.SendAsync(Request(HttpMethod.Get, $"/signed/{_original.Id}", "tenant-a"));

        if (Site.Dedup.CanSignReadUrls)
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("no-store", response.Headers.CacheControl!.ToString());
            using var plain = new HttpClient();
            Assert.Equal(_bytes, await plain.GetByteArrayAsync(response.Headers.Location));
        }
        else
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(_bytes, await response.Content.ReadAsByteArrayAsync());
        }
    }

    [Fact]
    public async Task A_conditional_request_is_answered_before_any_redirect()
    {
        using var response = await Client.SendAsync(Request(HttpMethod.Get, $"/signed/{_original.Id}", "tenant-a", r => r.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{_original.Digest}\""))));

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, Action<HttpRequestMessage>? configure = null)
        => Client.SendAsync(Request(method, $"/images/{_original.Id}", "tenant-a", configure));

    private static HttpRequestMessage Request(HttpMethod method, string path, string? tenant = null, Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (tenant is not null)
        {
            request.Headers.Add(TestSite.TenantHeader, tenant);
        }

        configure?.Invoke(request);
        return request;
    }

    private static DateTimeOffset Truncate(DateTimeOffset time) => new(time.Ticks - (time.Ticks % TimeSpan.TicksPerSecond), time.Offset);
}

public sealed class SqliteFileSystemServingTests : ServingTests
{
    protected override Task<Backend> CreateBackendAsync() => Task.FromResult<Backend>(new SqliteFileSystemBackend());
}

public sealed class PostgresS3ServingTests(PostgresDatabase database) : ServingTests, IClassFixture<PostgresDatabase>
{
    protected override async Task<Backend> CreateBackendAsync() => await PostgresS3Backend.CreateAsync(database);
}
