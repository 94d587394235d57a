using System.ComponentModel.DataAnnotations;

namespace ImageDedup.SampleApi.Hosting;

/// <summary>The <c>S3</c> section: where originals (and the old per-image objects) live.</summary>
internal sealed class S3Settings
{
    /// <summary>An S3-compatible server's endpoint; empty for AWS itself (region and credentials from the SDK's chains).</summary>
    public Uri? ServiceUrl { get; set; }

    [Required]
    public string Bucket { get; set; } = string.Empty;

    /// <summary>Where ImageDedup keeps its originals inside the bucket; the old objects live elsewhere in it.</summary>
    public string KeyPrefix { get; set; } = "originals/";

    public string? AccessKey { get; set; }

    public string? SecretKey { get; set; }

    public string? Region { get; set; }
}
