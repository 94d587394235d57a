using ImageDedup;
using Microsoft.Data.Sqlite;

namespace ImageDedup.Sample;

/// <summary>The host's own table of images, each pointing at a de-duplicated original.</summary>
internal sealed class ImageCatalog(string connectionString)
{
    public async Task CreateSchemaAsync()
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            CREATE TABLE IF NOT EXISTS images (
                id INTEGER PRIMARY KEY,
                project_id INTEGER NOT NULL,
                style TEXT NOT NULL,
                original_image_id TEXT NULL
            );
            """;
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Stores the bytes once, then inserts the app's row and its reference in one transaction.</summary>
    public async Task<Original> UploadAsync(IImageDedupScope dedup, int projectId, int imageId, byte[] bytes, string style)
    {
        // Ingest without a holder: the original is kept for the orphan grace period while the
        // app's own transaction adds the reference.
        var stored = await dedup.IngestAsync(new MemoryStream(bytes));
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        await using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO images (id, project_id, style, original_image_id) VALUES ($id, $project, $style, $original)";
            insert.Parameters.AddWithValue("$id", imageId);
            insert.Parameters.AddWithValue("$project", projectId);
            insert.Parameters.AddWithValue("$style", style);
            insert.Parameters.AddWithValue("$original", stored.Original.Id.ToString());
            await insert.ExecuteNonQueryAsync();
        }

        var reference = await dedup.AddReferenceAsync(stored.Original.Id, Holder(projectId, imageId), transaction);
        await transaction.CommitAsync();
        return reference.Original;
    }

    public async Task DeleteAsync(IImageDedupScope dedup, int projectId, int imageId)
    {
        await using (var connection = new SqliteConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var delete = connection.CreateCommand();
            delete.CommandText = "DELETE FROM images WHERE id = $id";
            delete.Parameters.AddWithValue("$id", imageId);
            await delete.ExecuteNonQueryAsync();
        }

        // Outside a transaction the last release deletes the original at once.
        await dedup.ReleaseAsync(Holder(projectId, imageId));
    }

    public async Task<PrefixReleaseResult> DeleteProjectAsync(IImageDedupScope dedup, int projectId)
    {
        await using (var connection = new SqliteConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var delete = connection.CreateCommand();
            delete.CommandText = "DELETE FROM images WHERE project_id = $project";
            delete.Parameters.AddWithValue("$project", projectId);
            await delete.ExecuteNonQueryAsync();
        }

        // Whole segments only: projects/7 never touches projects/70.
        return await dedup.ReleasePrefixAsync($"projects/{projectId}");
    }

    private static string Holder(int projectId, int imageId) => $"projects/{projectId}/images/{imageId}";
}
