namespace ImageDedup;

/// <summary>
/// Bytes did not match what they were expected to be: a stored blob that no longer hashes to its
/// digest, a source stream that changed between reads, or a stream shorter or longer than declared.
/// </summary>
public sealed class ContentIntegrityException : ImageDedupException
{
    /// <summary>Creates the exception.</summary>
    public ContentIntegrityException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
