using System.Globalization;
using Amazon.S3.Model;
using Npgsql;

namespace ImageDedup.SampleApi.Tests;

/// <summary>Image rows stored the way the seed stored them before ImageDedup: a plain object per row, its URL in the row.</summary>
public static class LegacyImages
{
    /// <summary>Writes one object per picture and one row per object; returns each row's id with its bytes.</summary>
    public static async Task<IReadOnlyList<(long Id, byte[] Bytes)>> SeedAsync(SampleSite site, long projectId, IReadOnlyList<byte[]> pictures)
    {
        using var s3 = site.S3Client();
        await using var db = site.OpenDataSource();
        var rows = new List<(long, byte[])>();
        for (var i = 0; i < pictures.Count; i++)
        {
            var key = string.Create(CultureInfo.InvariantCulture, $"{site.LegacyPrefix}{projectId}/{Guid.NewGuid():N}.png");
            await s3.PutObjectAsync(new PutObjectRequest
            {
                BucketName = site.S3.BucketName,
                Key = key,
                InputStream = new MemoryStream(pictures[i]),
                ContentType = "image/png",
                UseChunkEncoding = false,
            });
            await using var insert = db.CreateCommand("INSERT INTO images (project_id, style, original_url, content_type, byte_length) VALUES ($1, 'original', $2, 'image/png', $3) RETURNING id");
            insert.Parameters.Add(new NpgsqlParameter { Value = projectId });
            insert.Parameters.Add(new NpgsqlParameter { Value = $"s3://{site.S3.BucketName}/{key}" });
            insert.Parameters.Add(new NpgsqlParameter { Value = (long)pictures[i].Length });
            rows.Add(((long)(await insert.ExecuteScalarAsync())!, pictures[i]));
        }

        return rows;
    }
}
