using System.Security.Cryptography;
using ImageDedup.Storage;
using ImageDedup.Testing.Content;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace ImageDedup.Testing.Engine;

/// <summary>
/// What every engine-level suite needs: a fresh pair of stores per test, engines built over them
/// the way hosts build them, and assertions on what the stores hold. The behaviour suites
/// (<see cref="EngineConformanceTests"/> and the capability suites) derive from it; a provider's
/// test project derives a concrete class per suite that supplies the stores.
/// </summary>
public abstract class EngineTestBase : IAsyncLifetime
{
    private readonly List<ServiceProvider> _providers = [];

    /// <summary>The reference store of the current test.</summary>
    protected IReferenceStore References { get; private set; } = null!;

    /// <summary>The blob store of the current test.</summary>
    protected IBlobStore Blobs { get; private set; } = null!;

    /// <summary>A fresh, empty, migrated reference store.</summary>
    protected abstract Task<IReferenceStore> CreateReferenceStoreAsync();

    /// <summary>A fresh, empty blob store.</summary>
    protected abstract Task<IBlobStore> CreateBlobStoreAsync();

    /// <inheritdoc/>
    public virtual async Task InitializeAsync()
    {
        References = await CreateReferenceStoreAsync();
        Blobs = await CreateBlobStoreAsync();
    }

    /// <inheritdoc/>
    public virtual async Task DisposeAsync()
    {
        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }
    }

    /// <summary>An engine over this test's stores, built the way hosts build it: through AddImageDedup.</summary>
    protected IImageDedup CreateEngine(
        Action<ImageDedupOptions>? configure = null,
        Func<IReferenceStore, IReferenceStore>? wrapReferences = null,
        Func<IBlobStore, IBlobStore>? wrapBlobs = null)
    {
        var services = new ServiceCollection();
        services.AddImageDedup(o =>
        {
            o.BufferSize = 64 * 1024;
            configure?.Invoke(o);
        });
        services.AddSingleton(wrapReferences?.Invoke(References) ?? References);
        services.AddSingleton(wrapBlobs?.Invoke(Blobs) ?? Blobs);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        _providers.Add(provider);
        return provider.GetRequiredService<IImageDedup>();
    }

    // ---- Assertions ------------------------------------------------------------------------------

    /// <summary>Reconcile with no grace at all, so what a test just left behind counts as stale.</summary>
    protected static ReconcileOptions Immediate => new() { GracePeriod = TimeSpan.Zero };

    /// <summary>An audit with no grace and no clock-skew allowance, so a row-less blob a test just wrote counts.</summary>
    protected static AuditOptions ImmediateAudit => new() { GracePeriod = TimeSpan.Zero, ClockSkewAllowance = TimeSpan.Zero };

    /// <summary>
    /// An engine whose ingest write timeout is short and has passed twice over since now, so its
    /// reconcile may treat every pending row this test made so far as abandoned.
    /// </summary>
    protected async Task<IImageDedup> CreateEngineAfterWriteTimeoutAsync()
    {
        var timeout = TimeSpan.FromMilliseconds(100);
        var engine = CreateEngine(o => o.IngestWriteTimeout = timeout);
        await Task.Delay(3 * timeout);
        return engine;
    }

    /// <summary>What an ingest that died after writing its blob leaves: a pending row and its blob.</summary>
    protected async Task<NewOriginal> SimulateCrashedIngestAsync()
    {
        var bytes = TestImages.UniquePng();
        var digest = TestImages.DigestOf(bytes);
        var id = Guid.CreateVersion7();
        var pending = new NewOriginal(id, string.Empty, digest, bytes.Length, "image/png", $"sha256/{digest.Hex[..2]}/{digest.Hex[2..4]}/{digest.Hex}.{id:N}");
        await References.InsertPendingAsync(pending);
        await Blobs.WriteAsync(pending.StorageKey, new MemoryStream(bytes), new BlobMetadata(digest, bytes.Length, "image/png"));
        return pending;
    }

    /// <summary>Asserts that the original's blob exists and holds exactly <paramref name="expected"/>, which hash to its digest.</summary>
    protected async Task AssertBlobHoldsAsync(Original original, byte[] expected)
    {
        await using var stream = await Blobs.OpenReadAsync(original.StorageKey);
        var actual = await ReadAllAsync(stream);
        Assert.Equal(expected.Length, actual.Length);
        Assert.True(expected.AsSpan().SequenceEqual(actual), "the stored bytes differ from the ingested bytes");
        Assert.Equal(original.Digest, ContentDigest.FromSha256(SHA256.HashData(actual)));
    }

    /// <summary>Asserts no row in any state, no reference for the holders named, and no blob.</summary>
    protected async Task AssertNothingStoredAsync(params string[] holders)
    {
        Assert.Empty((await References.ListOriginalsAsync(string.Empty, null, 100)).Items);
        foreach (var holder in holders)
        {
            Assert.Null(await References.FindByHolderAsync(string.Empty, holder));
        }

        Assert.Empty(await ListBlobsAsync());
    }

    /// <summary>Every blob key in the store.</summary>
    protected async Task<List<string>> ListBlobsAsync()
    {
        var keys = new List<string>();
        await foreach (var blob in Blobs.ListAsync())
        {
            keys.Add(blob.Key);
        }

        return keys;
    }

    /// <summary>Every original of the default scope, in every state.</summary>
    protected static async Task<List<Original>> ListAllOriginalsAsync(IImageDedup engine)
    {
        var all = new List<Original>();
        string? cursor = null;
        do
        {
            var page = await engine.DefaultScope.ListOriginalsAsync(cursor, 50);
            all.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        return all;
    }

    /// <summary>Reads a stream to its end.</summary>
    protected static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }
}
