using Microsoft.Extensions.Options;

namespace ImageDedup.S3;

/// <summary>Checks <see cref="S3BlobStoreOptions"/> when the host starts.</summary>
internal sealed class S3BlobStoreOptionsValidator : IValidateOptions<S3BlobStoreOptions>
{
    /// <summary>S3 signs presigned URLs for at most seven days.</summary>
    internal static readonly TimeSpan MaximumPresignedUrlLifetime = TimeSpan.FromDays(7);

    public ValidateOptionsResult Validate(string? name, S3BlobStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = Check(options);
        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }

    /// <summary>S3's bucket naming rules (general-purpose buckets), which S3-compatible servers follow too.</summary>
    private static bool IsBucketName(string name)
        => name.Length is >= 3 and <= 63
            && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-')
            && char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1])
            && !name.Contains("..", StringComparison.Ordinal);

    /// <summary>Every reason the options are unusable; empty when they are fine.</summary>
    internal static List<string> Check(S3BlobStoreOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.BucketName))
        {
            failures.Add("S3BlobStoreOptions.BucketName is required: the bucket that holds the blobs.");
        }
        else if (!IsBucketName(options.BucketName))
        {
            failures.Add($"S3BlobStoreOptions.BucketName '{options.BucketName}' is not a bucket name: 3 to 63 lowercase letters, digits, '.' and '-', starting and ending with a letter or digit.");
        }

        if (S3KeyPrefix.Check(options.KeyPrefix) is { } prefixProblem)
        {
            failures.Add(prefixProblem);
        }

        if (options.ServiceUrl is { } url && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)))
        {
            failures.Add($"S3BlobStoreOptions.ServiceUrl '{url}' must be an absolute http or https URL.");
        }

        if (string.IsNullOrEmpty(options.AccessKey) != string.IsNullOrEmpty(options.SecretKey))
        {
            failures.Add("S3BlobStoreOptions.AccessKey and SecretKey go together: set both, or neither to use the SDK's default credential chain.");
        }

        CheckSize(failures, nameof(options.MultipartThreshold), options.MultipartThreshold);
        CheckSize(failures, nameof(options.PartSize), options.PartSize);

        if (options.PresignedUrlLifetime <= TimeSpan.Zero || options.PresignedUrlLifetime > MaximumPresignedUrlLifetime)
        {
            failures.Add($"S3BlobStoreOptions.PresignedUrlLifetime {options.PresignedUrlLifetime} must be positive and at most 7 days.");
        }

        if (options.MaxErrorRetry is < 0 or > 20)
        {
            failures.Add($"S3BlobStoreOptions.MaxErrorRetry {options.MaxErrorRetry} must lie between 0 and 20.");
        }

        if (options.RequestTimeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            failures.Add($"S3BlobStoreOptions.RequestTimeout {timeout} must be positive.");
        }

        return failures;
    }

    private static void CheckSize(List<string> failures, string name, long value)
    {
        if (value is < S3BlobStoreOptions.MinimumPartSize or > S3BlobStoreOptions.MaximumPartSize)
        {
            failures.Add($"S3BlobStoreOptions.{name} {value} must lie between {S3BlobStoreOptions.MinimumPartSize} (5 MiB) and {S3BlobStoreOptions.MaximumPartSize} (1 GiB) bytes.");
        }
    }
}
