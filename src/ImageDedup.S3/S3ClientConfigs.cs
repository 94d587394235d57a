using Amazon;
using Amazon.Runtime;
using Amazon.S3;

namespace ImageDedup.S3;

/// <summary>Builds the SDK client that <see cref="S3BlobStoreOptions"/> describe.</summary>
internal static class S3ClientConfigs
{
    /// <summary>The region requests to an S3-compatible server are signed for when none is set.</summary>
    private const string DefaultCompatibleRegion = "us-east-1";

    /// <summary>The client configuration: endpoint, addressing, retries and checksum behaviour.</summary>
    public static AmazonS3Config Create(S3BlobStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            RetryMode = options.RetryMode,
            MaxErrorRetry = options.MaxErrorRetry,
            RequestChecksumCalculation = options.RequestChecksumCalculation,
            ResponseChecksumValidation = options.ResponseChecksumValidation,
        };

        if (options.RequestTimeout is { } timeout)
        {
            config.Timeout = timeout;
        }

        if (options.ServiceUrl is { } url)
        {
            config.ServiceURL = url.ToString();
            config.AuthenticationRegion = options.Region ?? DefaultCompatibleRegion;
        }
        else if (options.Region is { } region)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }

        return config;
    }

    /// <summary>A client over <paramref name="config"/> with the options' keys, or the SDK's default credential chain.</summary>
    public static AmazonS3Client CreateClient(S3BlobStoreOptions options, AmazonS3Config config)
    {
        ArgumentNullException.ThrowIfNull(options);
        return string.IsNullOrEmpty(options.AccessKey)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config);
    }
}
