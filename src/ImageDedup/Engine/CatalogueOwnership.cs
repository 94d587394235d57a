using ImageDedup.Shared;
using ImageDedup.Storage;

namespace ImageDedup.Engine;

/// <summary>
/// Binds the blob store's location to this catalogue: the catalogue's identity (kept in the
/// reference store) is claimed in the blob store before the engine's first blob operation, so a
/// second catalogue pointed at the same root, bucket or prefix fails with
/// <see cref="BlobStoreOwnershipException"/> instead of taking the first one's blobs for garbage.
/// </summary>
internal sealed class CatalogueOwnership
{
    private readonly IReferenceStore _references;
    private readonly IBlobStore _blobs;
    private readonly OnceGate _gate;

    public CatalogueOwnership(IReferenceStore references, IBlobStore blobs)
    {
        _references = references;
        _blobs = blobs;
        _gate = new OnceGate(ConfirmAsync);
    }

    /// <summary>
    /// Claims once per engine (see <see cref="OnceGate"/>); each caller's token only stops its own wait.
    /// </summary>
    public Task EnsureAsync(CancellationToken cancellationToken) => _gate.EnsureAsync(cancellationToken);

    /// <summary>
    /// Claims again, whatever an earlier claim found: before a sweep deletes anything. On a store
    /// whose server cannot create its marker only-if-absent, this is what keeps a catalogue that
    /// lost a simultaneous first claim from ever sweeping.
    /// </summary>
    public async Task ConfirmAsync(CancellationToken cancellationToken)
    {
        var catalogueId = await _references.GetCatalogueIdAsync(cancellationToken).ConfigureAwait(false);
        await _blobs.ClaimOwnershipAsync(catalogueId, cancellationToken).ConfigureAwait(false);
    }
}
