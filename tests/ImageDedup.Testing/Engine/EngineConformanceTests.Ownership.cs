using ImageDedup.Storage;
using ImageDedup.Testing.Content;
using Xunit;

namespace ImageDedup.Testing.Engine;

/// <summary>
/// A blob-store location belongs to exactly one catalogue, and the engine touches nothing there
/// that is not in its own key format (issue 11 item 2).
/// </summary>
public abstract partial class EngineConformanceTests
{
    /// <summary>
    /// A fresh, migrated reference store of another catalogue (its own database, schema or table
    /// prefix), for pointing a second engine at this test's blob store.
    /// </summary>
    protected abstract Task<IReferenceStore> CreateOtherCatalogueAsync();

    /// <summary>
    /// Puts something that is no blob of the engine's at this test's blob-store location, bypassing
    /// the store (a host's own file, another application's object), last modified well in the past
    /// where the store allows it. <paramref name="name"/> is relative to the location.
    /// </summary>
    protected abstract Task WriteForeignObjectAsync(string name, byte[] content);

    /// <summary>Whether the foreign object <paramref name="name"/> is still at the location.</summary>
    protected abstract Task<bool> ForeignObjectExistsAsync(string name);

    /// <summary>What reconcile must never delete: host files, other applications' objects, capitals, near-misses of the key format.</summary>
    public static TheoryData<string> ForeignNames => new(Foreign);

    private static readonly string[] Foreign =
    [
        "notes.txt",
        "exports/report.csv",
        "Exports/Q3.csv",
        "sha256/00/00/report.csv",
        "sha256/ab/cd/" + new string('0', 64) + "." + new string('0', 32),
    ];

    [Fact]
    public async Task A_second_catalogue_on_the_same_blob_store_fails_naming_both_and_touches_nothing()
    {
        var first = CreateEngine();
        var bytes = TestImages.UniquePng();
        var stored = await first.DefaultScope.IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = "img" });
        var owner = await References.GetCatalogueIdAsync();
        var otherReferences = await CreateOtherCatalogueAsync();
        var intruder = await otherReferences.GetCatalogueIdAsync();
        Assert.NotEqual(owner, intruder);
        var second = CreateEngine(wrapReferences: _ => otherReferences);

        var ingest = await Assert.ThrowsAsync<BlobStoreOwnershipException>(() => second.DefaultScope.IngestAsync(new MemoryStream(TestImages.UniquePng()), new IngestRequest { Holder = "img" }));
        var reconcile = await Assert.ThrowsAsync<BlobStoreOwnershipException>(() => second.ReconcileAsync(Immediate));
        var audit = await Assert.ThrowsAsync<BlobStoreOwnershipException>(() => second.AuditAsync(ImmediateAudit));

        foreach (var refused in new[] { ingest, reconcile, audit })
        {
            Assert.Equal(owner, refused.OwnerCatalogueId);
            Assert.Equal(intruder, refused.CatalogueId);
            Assert.Contains(owner.ToString(), refused.Message, StringComparison.Ordinal);
            Assert.Contains(intruder.ToString(), refused.Message, StringComparison.Ordinal);
            Assert.False(string.IsNullOrEmpty(refused.Location));
        }

        Assert.Empty((await otherReferences.ListOriginalsAsync(null, null, 10)).Items);
        await AssertBlobHoldsAsync(stored.Original, bytes);
        await using var read = await first.DefaultScope.OpenReadAsync(stored.Original.Id);
        Assert.Equal(bytes, await ReadAllAsync(read));
    }

    [Fact]
    public async Task Every_instance_of_one_catalogue_shares_its_blob_store()
    {
        var one = CreateEngine();
        var other = CreateEngine();
        var bytes = TestImages.UniquePng();

        var stored = await one.DefaultScope.IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = "a" });
        var again = await other.DefaultScope.IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = "b" });
        await other.ReconcileAsync(Immediate);

        Assert.Equal(stored.Original.Id, again.Original.Id);
        await AssertBlobHoldsAsync(stored.Original, bytes);
    }
}
