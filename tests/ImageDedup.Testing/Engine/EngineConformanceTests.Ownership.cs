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

    [Theory]
    [MemberData(nameof(ForeignNames))]
    public async Task Reconcile_keeps_what_is_not_in_the_engine_key_format_and_does_not_fail_on_it(string name)
    {
        var engine = CreateEngine();
        var kept = await engine.DefaultScope.IngestAsync(new MemoryStream(TestImages.UniquePng()), new IngestRequest { Holder = "keep" });
        await WriteForeignObjectAsync(name, "not an image of this catalogue"u8.ToArray());

        var result = await engine.ReconcileAsync(Immediate);

        Assert.Equal(0, result.OrphanBlobsDeleted);
        Assert.True(await ForeignObjectExistsAsync(name), $"reconcile deleted '{name}', which is not its blob");
        Assert.NotNull(await Blobs.GetPropertiesAsync(kept.Original.StorageKey));
    }

    [Fact]
    public async Task Reconcile_with_default_options_keeps_every_foreign_object_and_still_deletes_its_own_row_less_blob()
    {
        var engine = CreateEngine();
        foreach (var name in Foreign)
        {
            await WriteForeignObjectAsync(name, "foreign"u8.ToArray());
        }

        var bytes = TestImages.UniquePng();
        var digest = TestImages.DigestOf(bytes);
        var stray = $"sha256/{digest.Hex[..2]}/{digest.Hex[2..4]}/{digest.Hex}.{Guid.NewGuid():N}";
        await Blobs.WriteAsync(stray, new MemoryStream(bytes), new BlobMetadata(digest, bytes.Length, "image/png"));

        await engine.ReconcileAsync(new ReconcileOptions());
        var immediate = await engine.ReconcileAsync(Immediate);

        Assert.Equal(1, immediate.OrphanBlobsDeleted);
        Assert.Null(await Blobs.GetPropertiesAsync(stray));
        foreach (var name in Foreign)
        {
            Assert.True(await ForeignObjectExistsAsync(name), $"reconcile deleted '{name}'");
        }
    }

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

        foreach (var refused in new[] { ingest, reconcile })
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
