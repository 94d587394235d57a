using Amazon.Runtime;

namespace ImageDedup.S3;

/// <summary>Settings of the S3 blob store. Validated when the host starts.</summary>
public sealed class S3BlobStoreOptions
{
    /// <summary>The smallest part S3 accepts (except for the last): 5 MiB.</summary>
    public const long MinimumPartSize = 5L * 1024 * 1024;

    /// <summary>
    /// The largest part and single-request upload this store accepts: 1 GiB. Each write holds one
    /// part in memory, so larger parts are refused rather than allocated.
    /// </summary>
    public const long MaximumPartSize = 1L * 1024 * 1024 * 1024;

    /// <summary>The bucket that holds the blobs. Required; it must already exist.</summary>
    public string BucketName { get; set; } = string.Empty;

    /// <summary>
    /// A prefix put before every blob key, so that one bucket can hold several stores (or other
    /// data). Empty by default. A non-empty prefix is used as a folder: a missing trailing
    /// <c>/</c> is added. Listing returns keys without it.
    /// </summary>
    public string KeyPrefix { get; set; } = string.Empty;

    /// <summary>
    /// The endpoint of an S3-compatible server, for example <c>http://localhost:9000</c> for MinIO.
    /// Null for Amazon S3 itself, whose endpoint follows from <see cref="Region"/>.
    /// </summary>
    public Uri? ServiceUrl { get; set; }

    /// <summary>
    /// Address buckets as <c>https://host/bucket/key</c> instead of <c>https://bucket.host/key</c>.
    /// Most S3-compatible servers (MinIO, s3rver, Ceph) need this; Amazon S3 does not.
    /// </summary>
    public bool ForcePathStyle { get; set; }

    /// <summary>
    /// The AWS region, for example <c>eu-central-1</c>. For Amazon S3 it picks the endpoint; with
    /// <see cref="ServiceUrl"/> it is the region requests are signed for (default <c>us-east-1</c>).
    /// Null uses the SDK's default region chain (environment, profile, instance metadata).
    /// </summary>
    public string? Region { get; set; }

    /// <summary>
    /// An access key. Set it together with <see cref="SecretKey"/>, or leave both null to use the
    /// SDK's default credential chain (environment, profile, container or instance role).
    /// </summary>
    public string? AccessKey { get; set; }

    /// <summary>The secret key that goes with <see cref="AccessKey"/>.</summary>
    public string? SecretKey { get; set; }

    /// <summary>
    /// Blobs up to this many bytes are uploaded with one <c>PutObject</c>; larger ones with a
    /// multipart upload. Default 16 MiB; at least 5 MiB, at most 1 GiB. A single upload holds the
    /// whole blob in memory (so that the SDK can resend it after a transient failure), so this is
    /// also the most memory one write uses.
    /// </summary>
    public long MultipartThreshold { get; set; } = 16L * 1024 * 1024;

    /// <summary>
    /// The size of each part of a multipart upload. Default 8 MiB; at least 5 MiB, at most 1 GiB.
    /// Raised automatically for blobs so large that they would need more than 10,000 parts. One
    /// part is held in memory at a time.
    /// </summary>
    public long PartSize { get; set; } = 8L * 1024 * 1024;

    /// <summary>How long a presigned URL stays valid unless the caller asks otherwise. Default 15 minutes.</summary>
    public TimeSpan PresignedUrlLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// When the SDK adds its own request checksums (CRC32) to operations that do not require one.
    /// Uploads of this store always carry their SHA-256 checksum either way.
    /// <see cref="RequestChecksumCalculation.WHEN_REQUIRED"/> suits S3-compatible servers that
    /// reject or mishandle the newer checksum headers; the default is the SDK's own,
    /// <see cref="RequestChecksumCalculation.WHEN_SUPPORTED"/>.
    /// </summary>
    public RequestChecksumCalculation RequestChecksumCalculation { get; set; } = RequestChecksumCalculation.WHEN_SUPPORTED;

    /// <summary>
    /// Whether downloads ask for (<c>x-amz-checksum-mode: ENABLED</c>) and check the server's
    /// checksums. Default <see cref="ResponseChecksumValidation.WHEN_SUPPORTED"/>; use
    /// <see cref="ResponseChecksumValidation.WHEN_REQUIRED"/> for servers that mishandle the header.
    /// </summary>
    public ResponseChecksumValidation ResponseChecksumValidation { get; set; } = ResponseChecksumValidation.WHEN_SUPPORTED;

    /// <summary>
    /// Whether uploads use <c>aws-chunked</c> content encoding. Default (and recommended)
    /// <see langword="false"/>: the request is then signed over the content's own SHA-256, so
    /// Amazon S3 rejects a body corrupted on the way, and S3-compatible servers that do not decode
    /// <c>aws-chunked</c> (s3rver, some older gateways) do not store the chunk framing as content.
    /// </summary>
    public bool UseChunkEncoding { get; set; }

    /// <summary>
    /// How the SDK retries transient failures (5xx, throttling, timeouts, dropped connections).
    /// Default <see cref="RequestRetryMode.Standard"/>; <see cref="RequestRetryMode.Adaptive"/>
    /// also slows the client down while the server throttles.
    /// </summary>
    public RequestRetryMode RetryMode { get; set; } = RequestRetryMode.Standard;

    /// <summary>How many times the SDK retries one request after a transient failure. Default 4.</summary>
    public int MaxErrorRetry { get; set; } = 4;

    /// <summary>The timeout of one HTTP request (each retry gets its own). Null keeps the SDK's default.</summary>
    public TimeSpan? RequestTimeout { get; set; }
}
