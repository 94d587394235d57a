namespace ImageDedup;

/// <summary>The content stream held no bytes. Nothing was stored.</summary>
public sealed class EmptyContentException : ImageDedupException
{
    /// <summary>Creates the exception.</summary>
    public EmptyContentException()
        : base("The content stream is empty; there is nothing to store.")
    {
    }
}
