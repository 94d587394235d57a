using ImageDedup.SampleApi.Data;
using Microsoft.EntityFrameworkCore;

namespace ImageDedup.SampleApi.Projects;

/// <summary>
/// A project's de-duplication figures, from the app's own rows: its live images, the distinct
/// originals they use, the bytes uploaded (each image counts its size) and the bytes those
/// originals take (each counted once).
/// </summary>
internal sealed class ProjectFigures
{
    public long Images { get; init; }

    public long Originals { get; init; }

    /// <summary>Live images the backfill has not moved yet (still stored the old way).</summary>
    public long Legacy { get; init; }

    public long UploadedBytes { get; init; }

    public long StoredBytes { get; init; }

    public long BytesSaved => UploadedBytes - StoredBytes;

    public static async Task<ProjectFigures> ReadAsync(AppDb db, long projectId, CancellationToken cancellationToken)
        => (await db.Database.SqlQuery<ProjectFigures>($"""
            SELECT count(*) AS "Images",
                   count(DISTINCT original_id) AS "Originals",
                   count(*) FILTER (WHERE original_id IS NULL) AS "Legacy",
                   coalesce(sum(byte_length), 0)::bigint AS "UploadedBytes",
                   coalesce((SELECT sum(length) FROM (SELECT DISTINCT ON (original_id) byte_length AS length
                                                      FROM images
                                                      WHERE project_id = {projectId} AND deleted_at IS NULL AND original_id IS NOT NULL) AS distinct_originals), 0)::bigint AS "StoredBytes"
            FROM images
            WHERE project_id = {projectId} AND deleted_at IS NULL
            """).ToListAsync(cancellationToken)).Single();
}
