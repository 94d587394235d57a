namespace ImageDedup;

/// <summary>
/// The blob store's location (a directory, or a bucket and key prefix) belongs to another
/// catalogue. A location holds the blobs of exactly one catalogue: a second one pointed at it
/// would take the first one's blobs for its own garbage and delete them.
/// </summary>
public sealed class BlobStoreOwnershipException : ImageDedupException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="location">The location, as the store names it (a path, or <c>s3://bucket/prefix</c>).</param>
    /// <param name="catalogueId">The catalogue that tried to use the location.</param>
    /// <param name="ownerCatalogueId">The catalogue the location's ownership marker names, or null when the marker names none.</param>
    public BlobStoreOwnershipException(string location, Guid catalogueId, Guid? ownerCatalogueId)
        : base(ownerCatalogueId is { } owner
            ? $"The blob store at '{location}' belongs to catalogue {owner}, not to catalogue {catalogueId} that tried to use it. Give each catalogue its own root, bucket or key prefix."
            : $"The blob store at '{location}' holds an ownership marker that names no catalogue, so catalogue {catalogueId} does not use it. Inspect the marker; delete it only if the location's blobs belong to catalogue {catalogueId}.")
    {
        Location = location;
        CatalogueId = catalogueId;
        OwnerCatalogueId = ownerCatalogueId;
    }

    /// <summary>The location, as the store names it.</summary>
    public string Location { get; }

    /// <summary>The catalogue that tried to use the location.</summary>
    public Guid CatalogueId { get; }

    /// <summary>The catalogue that owns the location, or null when its marker names none.</summary>
    public Guid? OwnerCatalogueId { get; }
}
