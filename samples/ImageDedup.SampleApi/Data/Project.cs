namespace ImageDedup.SampleApi.Data;

/// <summary>A project: owns images. Deleted projects are kept, like deleted images, for billing.</summary>
public sealed class Project
{
    public long Id { get; set; }

    public required string Name { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the project was deleted; its images are soft-deleted in the same transaction.</summary>
    public DateTimeOffset? DeletedAt { get; set; }

    /// <summary>
    /// When the references of a deleted project's images were released (a prefix release, after
    /// the deletion committed). Null on a deleted project means the release still has to run:
    /// <see cref="Projects.ProjectReleaseSweeper"/> finishes it after a crash or an outage.
    /// </summary>
    public DateTimeOffset? ReleasedAt { get; set; }
}
