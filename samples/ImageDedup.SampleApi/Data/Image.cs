namespace ImageDedup.SampleApi.Data;

/// <summary>
/// One image of a project in one style. Several rows (the styles of one upload, or the same
/// picture in two projects) share one original; each row's holder reference keeps it alive.
/// </summary>
public sealed class Image
{
    public long Id { get; set; }

    public long ProjectId { get; set; }

    public required string Style { get; set; }

    /// <summary>
    /// The ImageDedup original the row's holder points at. Null for a row stored the old way
    /// (<see cref="OriginalUrl"/>) that the backfill has not moved yet. No foreign key: the
    /// reference, not this column, keeps the original alive, and a deleted row keeps the
    /// identifier of an original that may be gone.
    /// </summary>
    public Guid? OriginalId { get; set; }

    /// <summary>The old way: the row's own plain S3 object (<c>s3://bucket/key</c>). Cleared once the backfill deleted it.</summary>
    public string? OriginalUrl { get; set; }

    public string? ContentType { get; set; }

    /// <summary>The image's size in bytes, as uploaded (what the project is billed for).</summary>
    public long ByteLength { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Soft delete: the row is kept for billing, its reference released.</summary>
    public DateTimeOffset? DeletedAt { get; set; }
}
