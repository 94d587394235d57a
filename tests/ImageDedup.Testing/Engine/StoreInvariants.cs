using System.Security.Cryptography;
using ImageDedup.Storage;
using Xunit;

namespace ImageDedup.Testing.Engine;

/// <summary>
/// The invariants of docs/invariants.md, checked against what the stores actually hold: after a
/// stress run, a crash and reconcile, a batch that failed half-way.
/// </summary>
public static class StoreInvariants
{
    /// <summary>
    /// No pending or deleting row; every live original's blob exists and re-hashes to its digest;
    /// every count equals its holders; at most one live original per (scope, digest); and no blob
    /// that no row names. Returns the live originals.
    /// </summary>
    public static async Task<List<Original>> AssertWholeAsync(IReferenceStore references, IBlobStore blobs)
    {
        ArgumentNullException.ThrowIfNull(references);
        ArgumentNullException.ThrowIfNull(blobs);
        var originals = await AllOriginalsAsync(references);
        Assert.DoesNotContain(originals, o => o.State != OriginalState.Live);
        foreach (var original in originals)
        {
            await using (var stream = await blobs.OpenReadAsync(original.StorageKey))
            {
                var digest = ContentDigest.FromSha256(await SHA256.HashDataAsync(stream));
                Assert.Equal(original.Digest, digest);
            }

            Assert.Equal(original.ReferenceCount, await CountHoldersAsync(references, original.Id));
        }

        Assert.Equal(originals.Count, originals.Select(o => (o.Scope, o.Digest)).Distinct().Count());
        var keys = await AllBlobKeysAsync(blobs);
        var named = await references.FindStorageKeysAsync(keys);
        Assert.Equal(keys.Order(StringComparer.Ordinal), named.Order(StringComparer.Ordinal));
        return originals;
    }

    /// <summary>No row in any state and no blob.</summary>
    public static async Task AssertEmptyAsync(IReferenceStore references, IBlobStore blobs)
    {
        ArgumentNullException.ThrowIfNull(references);
        ArgumentNullException.ThrowIfNull(blobs);
        Assert.Empty(await AllOriginalsAsync(references));
        Assert.Empty(await AllBlobKeysAsync(blobs));
    }

    /// <summary>Every original in every scope and state.</summary>
    public static async Task<List<Original>> AllOriginalsAsync(IReferenceStore references)
    {
        ArgumentNullException.ThrowIfNull(references);
        var all = new List<Original>();
        string? cursor = null;
        do
        {
            var page = await references.ListOriginalsAsync(null, cursor, 500);
            all.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        return all;
    }

    /// <summary>Every key the blob store lists.</summary>
    public static async Task<List<string>> AllBlobKeysAsync(IBlobStore blobs)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        var keys = new List<string>();
        await foreach (var blob in blobs.ListAsync())
        {
            keys.Add(blob.Key);
        }

        return keys;
    }

    private static async Task<long> CountHoldersAsync(IReferenceStore references, Guid id)
    {
        long count = 0;
        string? cursor = null;
        do
        {
            var page = await references.ListHoldersAsync(id, cursor, 500);
            count += page.Items.Count;
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        return count;
    }
}
