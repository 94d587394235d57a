namespace ImageDedup;

/// <summary>The base of the domain failures ImageDedup reports. Catch it to handle them all.</summary>
public abstract class ImageDedupException : Exception
{
    /// <summary>Creates the exception.</summary>
    protected ImageDedupException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
