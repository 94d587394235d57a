using Amazon;
using Amazon.Runtime;
using Amazon.S3;

namespace ImageDedup.SampleApi.Hosting;

/// <summary>
/// One S3 client for the app, registered as <see cref="IAmazonS3"/>: the ImageDedup S3 store uses
/// it for originals, and the backfill for the old per-image objects.
/// </summary>
internal static class S3Client
{
    public static IAmazonS3 Create(S3Settings settings)
    {
        var config = new AmazonS3Config();
        if (settings.ServiceUrl is { } url)
        {
            // An S3-compatible server: path-style addressing, and the region only signs requests.
            config.ServiceURL = url.ToString();
            config.ForcePathStyle = true;
            config.AuthenticationRegion = settings.Region ?? "us-east-1";
        }
        else if (settings.Region is { } region)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }

        return string.IsNullOrEmpty(settings.AccessKey)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(settings.AccessKey, settings.SecretKey), config);
    }
}
