namespace ImageDedup.Cli.Output;

/// <summary>The <see cref="FileProblem.Kind"/> names (documented in the README).</summary>
internal static class ProblemKinds
{
    /// <summary>Skipped: the bytes are not a supported image.</summary>
    public const string NotAnImage = "not-an-image";

    /// <summary>Skipped: an image whose own structure says it was cut short.</summary>
    public const string Truncated = "truncated";

    /// <summary>Skipped: zero bytes, or not a regular file (a FIFO, socket or device reports no size and is never opened).</summary>
    public const string Empty = "empty";

    /// <summary>Skipped: larger than the engine's limit.</summary>
    public const string TooLarge = "too-large";

    /// <summary>Failed: the file could not be opened or read.</summary>
    public const string Unreadable = "unreadable";

    /// <summary>Failed: the file changed while it was read (its length or bytes moved under the hash).</summary>
    public const string Changed = "changed";

    /// <summary>Failed: a directory could not be listed, a symlink leads nowhere, a file vanished.</summary>
    public const string Unlistable = "unlistable";

    /// <summary>Failed: the path is too long to be a holder key.</summary>
    public const string BadName = "bad-name";

    /// <summary>Refused: the bytes are on the store's block list (<c>block list</c>); nothing was stored.</summary>
    public const string Blocked = "blocked";
}
