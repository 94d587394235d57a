using ImageDedup.Shared;
using Microsoft.Extensions.Logging;

namespace ImageDedup.FileSystem;

/// <summary>
/// The root's ownership marker, <c>root/.imagededup/owner</c>. The first claim writes a temp file
/// in the staging folder and moves it into place without overwriting; on Unix that move is a hard
/// link (<c>link(2)</c>), which fails when the name exists, and on Windows a <c>MoveFileEx</c> without
/// replace — both atomic. So of two catalogues claiming a fresh root at once exactly one creates the
/// marker, and the other reads it and fails. The marker never appears half-written.
/// </summary>
internal sealed class OwnershipFile(BlobPaths paths, StagingArea staging, bool flushToDisk, ILogger logger)
{
    private string Folder => Path.Join(paths.Root, OwnershipMarker.FolderName);

    private string MarkerPath => Path.Join(paths.Root, OwnershipMarker.FolderName, "owner");

    public async Task ClaimAsync(Guid catalogueId, CancellationToken cancellationToken)
    {
        var owner = await ReadAsync(cancellationToken).ConfigureAwait(false);
        if (owner.Exists)
        {
            OwnershipMarker.RequireOwner(paths.Root, catalogueId, owner.Id);
            return;
        }

        if (await TryCreateAsync(catalogueId, cancellationToken).ConfigureAwait(false))
        {
            Log.OwnershipClaimed(logger, paths.Root, catalogueId);
            return;
        }

        // Another claimant created it first: its content decides.
        owner = await ReadAsync(cancellationToken).ConfigureAwait(false);
        OwnershipMarker.RequireOwner(paths.Root, catalogueId, owner.Id);
    }

    private async Task<(bool Exists, Guid? Id)> ReadAsync(CancellationToken cancellationToken)
    {
        paths.RefuseLinks(MarkerPath);
        try
        {
            var content = await File.ReadAllBytesAsync(MarkerPath, cancellationToken).ConfigureAwait(false);
            return (true, OwnershipMarker.Parse(content));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return (false, null);
        }
    }

    private async Task<bool> TryCreateAsync(Guid catalogueId, CancellationToken cancellationToken)
    {
        DurableDirectory.Create(staging.Path, flushToDisk, logger);
        DurableDirectory.Create(Folder, flushToDisk, logger);
        var temp = staging.NewTempPath();
        try
        {
            var file = new FileStream(temp, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Options = FileOptions.Asynchronous });
            await using (file.ConfigureAwait(false))
            {
                await file.WriteAsync(OwnershipMarker.Content(catalogueId), cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: flushToDisk);
            }

            try
            {
                File.Move(temp, MarkerPath, overwrite: false);
            }
            catch (IOException) when (File.Exists(MarkerPath))
            {
                return false;
            }

            if (flushToDisk)
            {
                DirectoryFlush.Flush(Folder);
            }

            return true;
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
