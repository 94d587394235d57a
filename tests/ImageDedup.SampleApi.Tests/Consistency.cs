using System.Globalization;
using System.Security.Cryptography;
using Amazon.S3.Model;
using Npgsql;

namespace ImageDedup.SampleApi.Tests;

/// <summary>
/// What a quiet sample deployment must hold, read straight from the servers (not through the app):
/// every live image row that names an original has exactly its holder reference, and no other
/// reference exists; every original's count equals the live rows naming it; no original is
/// pending, being deleted or orphaned (clean-up has run); the bucket holds exactly the live
/// originals' objects, each re-hashing to its digest.
/// </summary>
public static class Consistency
{
    /// <summary>Polls until the deployment is whole (clean-up runs every second), or fails with what is still wrong.</summary>
    public static async Task<Snapshot> AssertEventuallyWholeAsync(SampleSite site, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(45));
        while (true)
        {
            var (snapshot, problems) = await CheckAsync(site);
            if (problems.Count == 0)
            {
                return snapshot;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"The deployment is not whole ({problems.Count} problems):\n" + string.Join('\n', problems.Take(30)));
            }

            await Task.Delay(500);
        }
    }

    public static async Task<(Snapshot Snapshot, IReadOnlyList<string> Problems)> CheckAsync(SampleSite site)
    {
        var problems = new List<string>();
        await using var db = site.OpenDataSource();

        var expected = new Dictionary<string, Guid>(StringComparer.Ordinal);
        var rowsPerOriginal = new Dictionary<Guid, long>();
        await foreach (var (id, project, original) in QueryAsync(db, "SELECT id, project_id, original_id FROM images WHERE deleted_at IS NULL AND original_id IS NOT NULL", r => (r.GetInt64(0), r.GetInt64(1), r.GetGuid(2))))
        {
            expected[string.Create(CultureInfo.InvariantCulture, $"projects/{project}/images/{id}")] = original;
            rowsPerOriginal[original] = rowsPerOriginal.GetValueOrDefault(original) + 1;
        }

        var references = new Dictionary<string, Guid>(StringComparer.Ordinal);
        await foreach (var (scope, holder, original) in QueryAsync(db, "SELECT scope, holder, original_id FROM imagededup.\"references\"", r => (r.GetString(0), r.GetString(1), r.GetGuid(2))))
        {
            if (scope.Length != 0)
            {
                problems.Add($"reference {holder} in scope '{scope}': the app uses only the default scope");
            }

            references[holder] = original;
        }

        foreach (var (holder, original) in expected)
        {
            if (!references.TryGetValue(holder, out var actual))
            {
                problems.Add($"live image {holder} has no reference (its row names original {original})");
            }
            else if (actual != original)
            {
                problems.Add($"live image {holder} names original {original}, its reference points at {actual}");
            }
        }

        problems.AddRange(references.Keys.Where(h => !expected.ContainsKey(h)).Select(h => $"reference {h} has no live image row"));

        var originals = new Dictionary<Guid, (string Digest, long Length, string Key, string State, long Count)>();
        await foreach (var row in QueryAsync(db, "SELECT id, digest, length, storage_key, state, reference_count FROM imagededup.originals", r => (r.GetGuid(0), r.GetString(1), r.GetInt64(2), r.GetString(3), r.GetString(4), r.GetInt64(5))))
        {
            originals[row.Item1] = (row.Item2, row.Item3, row.Item4, row.Item5, row.Item6);
        }

        foreach (var (id, original) in originals)
        {
            if (original.State != "live")
            {
                problems.Add($"original {id} is {original.State}");
            }
            else if (original.Count == 0)
            {
                problems.Add($"original {id} is orphaned (no reference), not collected");
            }
            else if (original.Count != rowsPerOriginal.GetValueOrDefault(id))
            {
                problems.Add($"original {id} counts {original.Count} references, {rowsPerOriginal.GetValueOrDefault(id)} live rows name it");
            }
        }

        problems.AddRange(rowsPerOriginal.Keys.Where(id => !originals.ContainsKey(id)).Select(id => $"live rows name original {id}, which does not exist"));

        var objects = await ListObjectsAsync(site, site.KeyPrefix + "sha256/");
        var keys = originals.Values.Where(o => o.State == "live").ToDictionary(o => site.KeyPrefix + o.Key, o => o.Digest, StringComparer.Ordinal);
        problems.AddRange(objects.Where(o => !keys.ContainsKey(o)).Select(o => $"object {o} belongs to no live original (leaked)"));
        problems.AddRange(keys.Keys.Where(k => !objects.Contains(k)).Select(k => $"live original's object {k} is missing"));
        if (problems.Count == 0)
        {
            using var s3 = site.S3Client();
            foreach (var (key, digest) in keys)
            {
                using var response = await s3.GetObjectAsync(site.S3.BucketName, key);
                var actual = "sha256:" + Convert.ToHexStringLower(await SHA256.HashDataAsync(response.ResponseStream));
                if (actual != digest)
                {
                    problems.Add($"object {key} hashes to {actual}, its original says {digest}");
                }
            }
        }

        return (new Snapshot(expected.Count, originals.Count(o => o.Value.State == "live"), originals.Values.Where(o => o.State == "live").Sum(o => o.Length), objects.Count), problems);
    }

    public static async Task<HashSet<string>> ListObjectsAsync(SampleSite site, string prefix)
    {
        using var s3 = site.S3Client();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        string? token = null;
        do
        {
            var page = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = site.S3.BucketName, Prefix = prefix, ContinuationToken = token });
            foreach (var o in page.S3Objects ?? [])
            {
                keys.Add(o.Key);
            }

            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);
        return keys;
    }

    public static async IAsyncEnumerable<T> QueryAsync<T>(NpgsqlDataSource db, string sql, Func<NpgsqlDataReader, T> read)
    {
        await using var command = db.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            yield return read(reader);
        }
    }

    public static async Task<string?> ScalarTextAsync(SampleSite site, string sql)
    {
        await using var db = site.OpenDataSource();
        await using var command = db.CreateCommand(sql);
        return await command.ExecuteScalarAsync() as string;
    }

    public static async Task<long> ScalarAsync(SampleSite site, string sql)
    {
        await using var db = site.OpenDataSource();
        await using var command = db.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }
}

/// <summary>The whole deployment's figures at one quiet moment.</summary>
public sealed record Snapshot(long LiveReferencedRows, long LiveOriginals, long StoredBytes, long Objects);
