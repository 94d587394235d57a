using System.Net;
using Amazon.S3;
using Amazon.S3.Model;

namespace ImageDedup.SampleApi.Backfill;

/// <summary>
/// The old storage: one plain S3 object per image row, named in the row as <c>s3://bucket/key</c>.
/// Read while the app still serves rows the backfill has not moved, and deleted by the backfill.
/// </summary>
internal sealed class LegacyObjects(IAmazonS3 s3)
{
    /// <summary>Opens an old object, or returns null when it is gone.</summary>
    public async Task<LegacyObject?> OpenAsync(string url, CancellationToken cancellationToken)
    {
        var (bucket, key) = Parse(url);
        try
        {
            var response = await s3.GetObjectAsync(bucket, key, cancellationToken);
            return new LegacyObject(response, response.ResponseStream, response.ContentLength, response.Headers.ContentType);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Deletes an old object; returns its size, or null when it was already gone (a run killed after the delete).</summary>
    public async Task<long?> DeleteAsync(string url, CancellationToken cancellationToken)
    {
        var (bucket, key) = Parse(url);
        long length;
        try
        {
            length = (await s3.GetObjectMetadataAsync(bucket, key, cancellationToken)).ContentLength;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await s3.DeleteObjectAsync(bucket, key, cancellationToken);
        return length;
    }

    /// <summary>The bucket and key of <c>s3://bucket/key</c>.</summary>
    /// <exception cref="FormatException">The URL is not of that form.</exception>
    public static (string Bucket, string Key) Parse(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != "s3" || uri.Host.Length == 0 || uri.AbsolutePath.Length <= 1)
        {
            throw new FormatException($"'{url}' is not an old image URL of the form s3://bucket/key.");
        }

        return (uri.Host, Uri.UnescapeDataString(uri.AbsolutePath[1..]));
    }
}

/// <summary>An open old object; disposing it closes the response.</summary>
internal sealed class LegacyObject(IDisposable response, Stream content, long length, string? contentType) : IAsyncDisposable
{
    public Stream Content => content;

    public long Length => length;

    public string ContentType => string.IsNullOrEmpty(contentType) ? "application/octet-stream" : contentType;

    public async ValueTask DisposeAsync()
    {
        await content.DisposeAsync();
        response.Dispose();
    }
}
