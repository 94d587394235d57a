namespace ImageDedup;

/// <summary>The blob store holds no blob under the key.</summary>
public sealed class BlobNotFoundException : ImageDedupException
{
    /// <summary>Creates the exception.</summary>
    public BlobNotFoundException(string key, Exception? innerException = null)
        : base($"No blob exists under the key '{key}'.", innerException)
        => Key = key;

    /// <summary>The key that was asked for.</summary>
    public string Key { get; }
}
