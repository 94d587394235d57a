namespace ImageDedup;

/// <summary>No live original has this identifier in this scope (unknown, being deleted, or in another scope).</summary>
public sealed class OriginalNotFoundException : ImageDedupException
{
    /// <summary>Creates the exception.</summary>
    public OriginalNotFoundException(Guid originalId, string scope)
        : base($"No live original '{originalId}' exists in scope '{scope}'.")
    {
        OriginalId = originalId;
        Scope = scope;
    }

    /// <summary>The identifier that was asked for.</summary>
    public Guid OriginalId { get; }

    /// <summary>The scope that was searched.</summary>
    public string Scope { get; }
}
