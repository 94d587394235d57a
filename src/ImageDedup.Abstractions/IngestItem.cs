namespace ImageDedup;

/// <summary>
/// One image of a batch ingest (<see cref="IImageDedupScope.IngestManyAsync"/>): how to open its
/// bytes, and the request a single <see cref="IImageDedupScope.IngestAsync"/> would take. The
/// content is opened only when the batch gets to the item, and the stream is disposed once the item
/// is done, so a batch of a million files never holds a million open files.
/// </summary>
public sealed class IngestItem
{
    /// <summary>Creates an item whose content <paramref name="openContent"/> opens.</summary>
    /// <param name="openContent">
    /// Opens the image bytes, read from the stream's position to the first read that returns 0, as
    /// <see cref="IImageDedupScope.IngestAsync"/> reads them; called once, with the batch's token. The
    /// batch disposes the stream. An exception it throws is that item's failure.
    /// </param>
    /// <param name="request">The holder, declared content type and length; null for none.</param>
    public IngestItem(Func<CancellationToken, ValueTask<Stream>> openContent, IngestRequest? request = null)
    {
        ArgumentNullException.ThrowIfNull(openContent);
        OpenContent = openContent;
        Request = request;
    }

    /// <summary>Opens the item's bytes; the batch calls it once and disposes what it returns.</summary>
    public Func<CancellationToken, ValueTask<Stream>> OpenContent { get; }

    /// <summary>The holder, declared content type and length, or null.</summary>
    public IngestRequest? Request { get; }

    /// <summary>
    /// An item that reads a file, opened for one sequential read when the batch gets to it. A file
    /// that cannot be opened (missing, no permission) fails only this item.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="request">The holder, declared content type and length; null for none.</param>
    public static IngestItem FromFile(string path, IngestRequest? request = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new IngestItem(
            _ => ValueTask.FromResult<Stream>(new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.ReadWrite | FileShare.Delete,
                BufferSize = 0, // the engine reads in large chunks of its own
                Options = FileOptions.SequentialScan,
            })),
            request);
    }
}
