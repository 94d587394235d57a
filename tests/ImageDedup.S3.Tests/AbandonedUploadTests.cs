using System.Globalization;
using System.Net;
using System.Text;
using ImageDedup.Testing.Logging;
using ImageDedup.Testing.Servers;
using Microsoft.Extensions.Logging;

namespace ImageDedup.S3.Tests;

/// <summary>
/// Reconcile aborts the store's own multipart uploads that a crash abandoned (issue 11 item 7).
/// s3rver implements neither ListMultipartUploads nor AbortMultipartUpload, so the listing and
/// abort logic runs against recorded S3 answers, served by a handler in the SDK's HTTP pipeline.
/// </summary>
public sealed class AbandonedUploadTests
{
    private const string Prefix = "tenant-a/";

    private static readonly string OldA = EngineKey('a');
    private static readonly string Fresh = EngineKey('b');
    private static readonly string OldC = EngineKey('c');

    [Fact]
    public async Task Only_the_engines_own_uploads_older_than_the_cutoff_are_aborted_across_pages()
    {
        using var s3 = Offline();
        var now = DateTimeOffset.UtcNow;
        s3.Wire.Intercept = request => request switch
        {
            { Method.Method: "GET" } when request.HasQuery("uploads") && !request.HasQuery("key-marker") => Listing(truncated: true, next: (Prefix + Fresh, "up-fresh"),
                (Prefix + OldA, "up-a", now.AddDays(-3)),
                (Prefix + Fresh, "up-fresh", now.AddMinutes(-1)),
                (Prefix + "sha256/Exports/Q3.csv", "up-capitals", now.AddDays(-3)),
                (Prefix + "sha256/ab/cd/report.csv", "up-near-miss", now.AddDays(-3)),
                ("other-app/" + OldA, "up-other-prefix", now.AddDays(-3))),
            { Method.Method: "GET" } when request.HasQuery("uploads") => Listing(truncated: false, next: null,
                (Prefix + OldC, "up-c", now.AddHours(-5))),
            { Method.Method: "DELETE" } when request.HasQuery("uploadId") => new HttpResponseMessage(HttpStatusCode.NoContent),
            _ => WireRecorder.Error(HttpStatusCode.BadRequest, "UnexpectedRequest"),
        };

        var aborted = await s3.Store.DeleteIncompleteWritesAsync(TimeSpan.FromHours(1));

        Assert.Equal(2, aborted);
        var listings = s3.Wire.Where(HttpMethod.Get, "uploads").ToList();
        Assert.Equal(2, listings.Count);
        Assert.All(listings, l => Assert.Contains("prefix=" + Uri.EscapeDataString(Prefix + "sha256/"), l.Uri.Query, StringComparison.Ordinal));
        Assert.Contains("upload-id-marker=up-fresh", listings[1].Uri.Query, StringComparison.Ordinal);
        var aborts = s3.Wire.Where(HttpMethod.Delete, "uploadId").Select(r => (Path: Uri.UnescapeDataString(r.Uri.AbsolutePath), r.Uri.Query)).ToList();
        Assert.Equal(2, aborts.Count);
        Assert.EndsWith(Prefix + OldA, aborts[0].Path, StringComparison.Ordinal);
        Assert.Contains("uploadId=up-a", aborts[0].Query, StringComparison.Ordinal);
        Assert.EndsWith(Prefix + OldC, aborts[1].Path, StringComparison.Ordinal);
        Assert.Contains("uploadId=up-c", aborts[1].Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_upload_gone_meanwhile_is_skipped()
    {
        using var s3 = Offline();
        s3.Wire.Intercept = request => request.Method == HttpMethod.Get
            ? Listing(truncated: false, next: null, (Prefix + OldA, "up-a", DateTimeOffset.UtcNow.AddDays(-1)), (Prefix + OldC, "up-c", DateTimeOffset.UtcNow.AddDays(-1)))
            : request.Uri.Query.Contains("up-a", StringComparison.Ordinal) ? WireRecorder.Error(HttpStatusCode.NotFound, "NoSuchUpload") : new HttpResponseMessage(HttpStatusCode.NoContent);

        Assert.Equal(1, await s3.Store.DeleteIncompleteWritesAsync(TimeSpan.FromHours(1)));
    }

    [Theory]
    [InlineData(HttpStatusCode.NotImplemented, "NotImplemented", false)]
    [InlineData(HttpStatusCode.MethodNotAllowed, "MethodNotAllowed", true)]
    public async Task A_server_without_multipart_listing_or_abort_is_logged_once_and_skipped(HttpStatusCode status, string code, bool onAbort)
    {
        using var s3 = Offline();
        s3.Wire.Intercept = request => request.Method == HttpMethod.Get && onAbort
            ? Listing(truncated: false, next: null, (Prefix + OldA, "up-a", DateTimeOffset.UtcNow.AddDays(-1)), (Prefix + OldC, "up-c", DateTimeOffset.UtcNow.AddDays(-1)))
            : WireRecorder.Error(status, code);

        Assert.Equal(0, await s3.Store.DeleteIncompleteWritesAsync(TimeSpan.FromHours(1)));
        Assert.Equal(0, await s3.Store.DeleteIncompleteWritesAsync(TimeSpan.FromHours(1)));

        var warnings = s3.Logger.Entries.Where(e => e.Level == LogLevel.Warning).ToList();
        var warning = Assert.Single(warnings);
        Assert.Contains(onAbort ? "AbortMultipartUpload" : "ListMultipartUploads", warning.Message, StringComparison.Ordinal);
        Assert.Contains("lifecycle rule", warning.Message, StringComparison.Ordinal);
        Assert.Equal(onAbort ? 2 : 0, s3.Wire.Where(HttpMethod.Delete).Count());
    }

    [Fact]
    public async Task Against_s3rver_reconciling_abandoned_uploads_neither_fails_nor_aborts_anything()
    {
        var server = await TestS3.ServerAsync();
        var options = TestS3.Options(server, S3TestServer.NewPrefix("abandoned"));
        using var client = TestS3.Client(options);
        var store = new S3BlobStore(client, options, new CapturingLogger<S3BlobStore>());

        Assert.Equal(0, await store.DeleteIncompleteWritesAsync(TimeSpan.Zero));
    }

    private static string EngineKey(char fill)
    {
        var hex = new string(fill, 64);
        return $"sha256/{hex[..2]}/{hex[2..4]}/{hex}.{new string('0', 32)}";
    }

    /// <summary>A store whose every request is answered by the recorder: no server is involved.</summary>
    private static OfflineStore Offline()
    {
        var options = new S3BlobStoreOptions
        {
            BucketName = "recorded-bucket",
            KeyPrefix = Prefix,
            ServiceUrl = new Uri("http://127.0.0.1:9"),
            ForcePathStyle = true,
            AccessKey = "recorded",
            SecretKey = "recorded",
            MaxErrorRetry = 0,
        };
        var wire = new WireRecorder();
        var client = TestS3.Client(options, wire);
        var logger = new CapturingLogger<S3BlobStore>();
        return new OfflineStore(client, wire, logger, new S3BlobStore(client, options, logger));
    }

    /// <summary>A ListMultipartUploads answer in the shape S3 sends it.</summary>
    private static HttpResponseMessage Listing(bool truncated, (string Key, string UploadId)? next, params (string Key, string UploadId, DateTimeOffset Initiated)[] uploads)
    {
        var xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListMultipartUploadsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">");
        xml.Append("<Bucket>recorded-bucket</Bucket><KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker>");
        if (next is { } marker)
        {
            xml.Append(CultureInfo.InvariantCulture, $"<NextKeyMarker>{marker.Key}</NextKeyMarker><NextUploadIdMarker>{marker.UploadId}</NextUploadIdMarker>");
        }

        xml.Append(CultureInfo.InvariantCulture, $"<Prefix>{Prefix}sha256/</Prefix><MaxUploads>1000</MaxUploads><IsTruncated>{(truncated ? "true" : "false")}</IsTruncated>");
        foreach (var (key, uploadId, initiated) in uploads)
        {
            xml.Append(CultureInfo.InvariantCulture, $"<Upload><Key>{key}</Key><UploadId>{uploadId}</UploadId>");
            xml.Append("<Initiator><ID>arn:aws:iam::111122223333:user/app</ID><DisplayName>app</DisplayName></Initiator>");
            xml.Append("<Owner><ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID><DisplayName>app</DisplayName></Owner>");
            xml.Append(CultureInfo.InvariantCulture, $"<StorageClass>STANDARD</StorageClass><Initiated>{initiated.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ}</Initiated></Upload>");
        }

        xml.Append("</ListMultipartUploadsResult>");
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(xml.ToString(), Encoding.UTF8, "application/xml") };
    }

    private sealed record OfflineStore(Amazon.S3.AmazonS3Client Client, WireRecorder Wire, CapturingLogger<S3BlobStore> Logger, S3BlobStore Store) : IDisposable
    {
        public void Dispose() => Client.Dispose();
    }
}
