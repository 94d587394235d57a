using ImageDedup.Storage;
using ImageDedup.Testing.Content;
using Xunit;

namespace ImageDedup.Testing.References;

/// <summary>
/// What every reference-store suite needs: fresh stores and the rows a test starts from. The
/// behaviour suites (<see cref="ReferenceStoreConformanceTests"/> and the capability suites such as
/// <see cref="HostTransactionConformanceTests"/>) derive from it; a provider's test project derives a
/// concrete class per suite that supplies the stores.
/// </summary>
public abstract class ReferenceStoreTestBase
{
    protected const string Scope = "tenant-a";
    protected const string OtherScope = "tenant-b";

    /// <summary>A fresh, empty, migrated store; a new one per call.</summary>
    protected abstract Task<IReferenceStore> CreateStoreAsync();

    /// <summary>Inserts a pending original of <see cref="TestImages.Png"/> with <paramref name="seed"/>.</summary>
    protected static async Task<NewOriginal> InsertPendingAsync(IReferenceStore store, string scope, int seed, int length = 256)
    {
        var digest = TestImages.DigestOf(TestImages.Png(seed, Math.Max(length, 16)));
        var original = new NewOriginal(Guid.NewGuid(), scope, digest, length, "image/png", $"sha256/{digest.Hex}.{Guid.NewGuid():N}");
        await store.InsertPendingAsync(original);
        return original;
    }

    /// <summary>Inserts and promotes an original, pointing <paramref name="holder"/> at it when given.</summary>
    protected static async Task<Original> CreateLiveAsync(IReferenceStore store, string scope, int seed, string? holder, int length = 256)
    {
        var pending = await InsertPendingAsync(store, scope, seed, length);
        var change = await store.PromoteAsync(pending.Id, holder, claimIfOrphaned: false);
        Assert.Equal(OriginalState.Live, change.Original.State);
        return change.Original;
    }

    /// <summary>Counts an original's holders by paging through them.</summary>
    protected static async Task<long> CountHoldersAsync(IReferenceStore store, Guid originalId)
    {
        long count = 0;
        string? cursor = null;
        do
        {
            var page = await store.ListHoldersAsync(originalId, cursor, pageSize: 50);
            count += page.Items.Count;
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        return count;
    }

    /// <summary>Asserts that each original's count equals the number of references that point at it.</summary>
    protected static async Task AssertCountsMatchReferencesAsync(IReferenceStore store, params Guid[] originalIds)
    {
        foreach (var id in originalIds)
        {
            var row = await store.GetAsync(id);
            Assert.NotNull(row);
            Assert.Equal(await CountHoldersAsync(store, id), row.ReferenceCount);
        }
    }
}
