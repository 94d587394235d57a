using System.Net;
using Amazon.S3;

namespace ImageDedup.S3;

/// <summary>Recognises the S3 errors the store maps to ImageDedup's own outcomes.</summary>
internal static class S3Errors
{
    /// <summary>No such key (or, for HEAD, a 404 without a body).</summary>
    public static bool IsNotFound(AmazonS3Exception error)
        => !IsNoSuchBucket(error) && (error.StatusCode == HttpStatusCode.NotFound || error.ErrorCode is "NoSuchKey" or "NotFound");

    /// <summary>The requested range starts at or beyond the end of the object.</summary>
    public static bool IsInvalidRange(AmazonS3Exception error)
        => error.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable || error.ErrorCode == "InvalidRange";

    /// <summary>The bucket itself does not exist: a configuration error, not a missing blob.</summary>
    public static bool IsNoSuchBucket(AmazonS3Exception error) => error.ErrorCode == "NoSuchBucket";
}
