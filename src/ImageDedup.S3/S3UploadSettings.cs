namespace ImageDedup.S3;

/// <summary>What every upload of one store shares.</summary>
/// <param name="BucketName">The bucket.</param>
/// <param name="MultipartThreshold">Blobs larger than this go multipart.</param>
/// <param name="PartSize">The preferred part size.</param>
/// <param name="UseChunkEncoding">Whether request bodies use aws-chunked encoding.</param>
internal sealed record S3UploadSettings(string BucketName, long MultipartThreshold, long PartSize, bool UseChunkEncoding)
{
    /// <summary>S3 allows at most 10,000 parts per upload.</summary>
    public const int MaximumParts = 10_000;

    /// <summary>The user-metadata name under which the whole content's SHA-256 (hex) is kept.</summary>
    public const string Sha256MetadataName = "sha256";

    /// <summary>The part size for a blob of <paramref name="length"/> bytes: the preferred size, raised in whole MiB so the parts fit in 10,000.</summary>
    public long PartSizeFor(long length)
    {
        const long MiB = 1024 * 1024;
        var needed = (length + MaximumParts - 1) / MaximumParts;
        var size = Math.Max(PartSize, (needed + MiB - 1) / MiB * MiB);
        return size <= S3BlobStoreOptions.MaximumPartSize
            ? size
            : throw new ArgumentOutOfRangeException(nameof(length), length, "The blob is too large for 10,000 parts of at most 1 GiB.");
    }
}
