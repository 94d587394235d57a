using ImageDedup.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ImageDedup.Engine;

/// <summary>
/// The opt-in start-up check: before the host starts serving, reads the catalogue's identity (one
/// round trip to the database, migrating it first when the store migrates automatically) and
/// claims the blob store's location with it (the bucket or directory, and the ownership marker).
/// A failure stops the host with a message naming the store and the cause, instead of surfacing
/// at the first upload.
/// </summary>
internal sealed partial class StartupCheckService(IReferenceStore references, IBlobStore blobs, ILoggerFactory? loggerFactory = null) : IHostedService
{
    private readonly ILogger _logger = (ILogger?)loggerFactory?.CreateLogger<StartupCheckService>() ?? NullLogger.Instance;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Guid catalogueId;
        try
        {
            catalogueId = await references.GetCatalogueIdAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException($"ImageDedup's start-up check failed: the reference store ({references.GetType().Name}) cannot be used. {ex.Message}", ex);
        }

        try
        {
            await blobs.ClaimOwnershipAsync(catalogueId, cancellationToken).ConfigureAwait(false);
        }
        catch (BlobStoreOwnershipException)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException($"ImageDedup's start-up check failed: the blob store ({blobs.GetType().Name}) cannot be used. {ex.Message}", ex);
        }

        Passed(_logger, catalogueId);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(1, LogLevel.Information, "ImageDedup start-up check passed: the reference store answers and the blob store belongs to catalogue {CatalogueId}")]
    private static partial void Passed(ILogger logger, Guid catalogueId);
}
