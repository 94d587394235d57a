using System.Net;
using System.Net.Sockets;
using Amazon.S3;

namespace ImageDedup.S3;

/// <summary>
/// Says in one sentence why a bucket could not be used, naming the bucket, the endpoint and the
/// cause an operator acts on — the SDK's own text for a missing bucket is "NotFound … No further
/// error information".
/// </summary>
internal static class S3Failure
{
    public static string Describe(Exception exception, string bucket, IAmazonS3 client)
    {
        var endpoint = client.Config.ServiceURL ?? client.Config.RegionEndpoint?.SystemName ?? "the default AWS endpoint";
        return exception switch
        {
            AmazonS3Exception { StatusCode: HttpStatusCode.NotFound } or AmazonS3Exception { ErrorCode: "NoSuchBucket" }
                => $"Bucket '{bucket}' does not exist at {endpoint}.",
            AmazonS3Exception { StatusCode: HttpStatusCode.Forbidden } e
                => $"Access to bucket '{bucket}' at {endpoint} is denied ({e.ErrorCode ?? "403"}): check the access key, the secret and the bucket's policy.",
            AmazonS3Exception { ErrorCode: "InvalidAccessKeyId" or "SignatureDoesNotMatch" } e
                => $"Bucket '{bucket}' at {endpoint} refused the credentials ({e.ErrorCode}).",
            AmazonS3Exception e => $"Bucket '{bucket}' at {endpoint} could not be used: {e.ErrorCode ?? e.StatusCode.ToString()} {e.Message}",
            _ when Innermost<SocketException>(exception) is { } socket => $"The S3 endpoint {endpoint} of bucket '{bucket}' cannot be reached: {socket.Message}",
            HttpRequestException or TimeoutException or TaskCanceledException
                => $"The S3 endpoint {endpoint} of bucket '{bucket}' cannot be reached: {exception.Message}",
            _ => $"Bucket '{bucket}' at {endpoint} could not be used: {exception.Message}",
        };
    }

    private static T? Innermost<T>(Exception? exception)
        where T : Exception
    {
        T? found = null;
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is T match)
            {
                found = match;
            }
        }

        return found;
    }
}
