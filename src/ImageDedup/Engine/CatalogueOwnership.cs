using ImageDedup.Storage;

namespace ImageDedup.Engine;

/// <summary>
/// Binds the blob store's location to this catalogue: the catalogue's identity (kept in the
/// reference store) is claimed in the blob store before the engine's first blob operation, so a
/// second catalogue pointed at the same root, bucket or prefix fails with
/// <see cref="BlobStoreOwnershipException"/> instead of taking the first one's blobs for garbage.
/// </summary>
internal sealed class CatalogueOwnership(IReferenceStore references, IBlobStore blobs)
{
    private readonly Lock _gate = new();
    private Task? _claim;

    /// <summary>
    /// Claims once per engine: concurrent callers share one claim; a failed or cancelled claim is
    /// retried by the next caller. Each caller's token only stops its own wait.
    /// </summary>
    public Task EnsureAsync(CancellationToken cancellationToken)
    {
        Task claim;
        lock (_gate)
        {
            if (_claim is null || _claim.IsFaulted || _claim.IsCanceled)
            {
                _claim = ConfirmAsync(CancellationToken.None);
            }

            claim = _claim;
        }

        return claim.IsCompletedSuccessfully ? Task.CompletedTask : claim.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Claims again, whatever an earlier claim found: before a sweep deletes anything. On a store
    /// whose server cannot create its marker only-if-absent, this is what keeps a catalogue that
    /// lost a simultaneous first claim from ever sweeping.
    /// </summary>
    public async Task ConfirmAsync(CancellationToken cancellationToken)
    {
        var catalogueId = await references.GetCatalogueIdAsync(cancellationToken).ConfigureAwait(false);
        await blobs.ClaimOwnershipAsync(catalogueId, cancellationToken).ConfigureAwait(false);
    }
}
