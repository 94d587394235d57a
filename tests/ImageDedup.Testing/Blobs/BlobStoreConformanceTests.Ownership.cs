using ImageDedup.Storage;
using Xunit;

namespace ImageDedup.Testing.Blobs;

/// <summary>Ownership of a location, and listings that skip what is not a blob (issue 11 item 2).</summary>
public abstract partial class BlobStoreConformanceTests
{
    /// <summary>A second store instance over the same location as <paramref name="store"/> (another app instance).</summary>
    protected abstract Task<IBlobStore> ReopenAsync(IBlobStore store);

    /// <summary>Puts <paramref name="name"/> (relative to the store's location) there around the store, as a host or another application would.</summary>
    protected abstract Task WriteForeignObjectAsync(IBlobStore store, string name, byte[] content);

    [Fact]
    public async Task The_first_claim_binds_the_location_and_the_same_catalogue_may_claim_again_from_any_instance()
    {
        var store = await CreateStoreAsync();
        var catalogue = Guid.NewGuid();

        await store.ClaimOwnershipAsync(catalogue);
        await store.ClaimOwnershipAsync(catalogue);
        await (await ReopenAsync(store)).ClaimOwnershipAsync(catalogue);

        Assert.Empty(await ListKeysAsync(store, null));
    }

    [Fact]
    public async Task Another_catalogue_claiming_an_owned_location_fails_naming_both_and_the_location()
    {
        var store = await CreateStoreAsync();
        var owner = Guid.NewGuid();
        var intruder = Guid.NewGuid();
        await store.ClaimOwnershipAsync(owner);

        var refused = await Assert.ThrowsAsync<BlobStoreOwnershipException>(async () => await (await ReopenAsync(store)).ClaimOwnershipAsync(intruder));

        Assert.Equal(owner, refused.OwnerCatalogueId);
        Assert.Equal(intruder, refused.CatalogueId);
        Assert.Contains(owner.ToString(), refused.Message, StringComparison.Ordinal);
        Assert.Contains(intruder.ToString(), refused.Message, StringComparison.Ordinal);
        Assert.Contains(refused.Location, refused.Message, StringComparison.Ordinal);
        await store.ClaimOwnershipAsync(owner);
    }

    [Fact]
    public async Task Catalogues_claiming_a_fresh_location_at_once_leave_exactly_one_owner_and_it_was_told_so()
    {
        var store = await CreateStoreAsync();
        var instances = new List<IBlobStore> { store };
        for (var i = 1; i < 6; i++)
        {
            instances.Add(await ReopenAsync(store));
        }

        var catalogues = instances.Select(_ => Guid.NewGuid()).ToList();
        using var start = new ManualResetEventSlim();
        var claims = instances.Select((instance, i) => Task.Run(async () =>
        {
            start.Wait();
            await instance.ClaimOwnershipAsync(catalogues[i]);
        })).ToList();
        start.Set();
        await Task.WhenAll(claims.Select(c => c.ContinueWith(_ => { }, TaskScheduler.Default)));

        Assert.All(claims.Where(c => c.IsFaulted), c => Assert.True(c.Exception!.InnerException is BlobStoreOwnershipException, c.Exception.InnerException!.ToString()));
        var owners = new List<int>();
        for (var i = 0; i < catalogues.Count; i++)
        {
            try
            {
                await store.ClaimOwnershipAsync(catalogues[i]);
                owners.Add(i);
            }
            catch (BlobStoreOwnershipException)
            {
            }
        }

        var winner = Assert.Single(owners);
        Assert.True(claims[winner].IsCompletedSuccessfully, "the catalogue the marker names was told it lost");
    }

    [Theory]
    [InlineData("notes.txt")]
    [InlineData("Exports/Q3.csv")]
    [InlineData("sha256/AB/report.CSV")]
    public async Task A_listing_skips_names_that_are_no_well_formed_key_and_does_not_fail(string name)
    {
        var store = await CreateStoreAsync();
        await store.ClaimOwnershipAsync(Guid.NewGuid());
        await WriteForeignObjectAsync(store, name, "foreign"u8.ToArray());
        var content = Content(100);
        var key = KeyFor(content);
        await WriteAsync(store, key, content);

        var listed = await ListKeysAsync(store, null);

        Assert.Contains(key, listed);
        Assert.DoesNotContain(listed, k => k.Contains(".imagededup", StringComparison.Ordinal));
        Assert.All(listed, k => Assert.Equal(k, k.ToLowerInvariant()));
    }
}
