using ImageDedup.Ingest;

namespace ImageDedup.Engine;

/// <summary>
/// One item of a batch ingest on its way through: read and hashed by <see cref="BatchReader"/>, then
/// settled by a <see cref="GroupCommit"/> — a result or the exception single ingest would throw.
/// It owns the stream it opened and the scanned content until it is disposed.
/// </summary>
internal sealed class BatchItem(long index, IngestItem item, IngestRequest request) : IAsyncDisposable
{
    private Stream? _source;

    public long Index { get; } = index;

    public IngestItem Item { get; } = item;

    public IngestRequest Request { get; } = request;

    public string? Holder => Request.Holder;

    /// <summary>Completes when the item has been read and hashed, or has failed doing so.</summary>
    public Task Read { get; set; } = Task.CompletedTask;

    /// <summary>The hashed content, once <see cref="Read"/> succeeded.</summary>
    public ScannedContent? Content { get; private set; }

    /// <summary>Budget units the item still holds (see <see cref="BatchBudget"/>).</summary>
    public int Units { get; set; }

    public IngestResult? Result { get; private set; }

    public Exception? Error { get; private set; }

    /// <summary>Whether the item has its outcome.</summary>
    public bool Settled => Result is not null || Error is not null;

    /// <summary>The identifier and key of the pending original this item writes, while it is a group's writer.</summary>
    public NewOriginal? Pending { get; set; }

    /// <summary>Whether the pending original's blob has been written.</summary>
    public bool Written { get; set; }

    public void Opened(Stream source) => _source = source;

    public void Scanned(ScannedContent content) => Content = content;

    public void Succeed(IngestResult result) => Result = result;

    public void Fail(Exception error) => Error ??= error;

    public IngestItemResult ToResult() => new(Index, Item, Error is null ? Result : null, Error);

    /// <summary>Closes the item's stream early, when its bytes no longer need it.</summary>
    public async ValueTask CloseSourceAsync()
    {
        if (_source is { } source)
        {
            _source = null;
            await source.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Content is { } content)
        {
            Content = null;
            await content.DisposeAsync().ConfigureAwait(false);
        }

        await CloseSourceAsync().ConfigureAwait(false);
    }
}
