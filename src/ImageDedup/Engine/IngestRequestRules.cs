namespace ImageDedup.Engine;

/// <summary>
/// The argument checks of an <see cref="IngestRequest"/> beyond its names, done before a byte is
/// read: a request that can never succeed fails as an argument error, not later as a content error.
/// </summary>
internal static class IngestRequestRules
{
    /// <summary>The longest declared content type accepted; longer ones are not media types.</summary>
    public const int MaxContentTypeLength = 255;

    public static void Validate(IngestRequest request)
    {
        if (request.ExpectedLength is < 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(request), request.ExpectedLength, $"{nameof(IngestRequest)}.{nameof(IngestRequest.ExpectedLength)} must not be negative.");
        }

        if (request.DeclaredContentType is { } type && !IsPrintableAscii(type, MaxContentTypeLength))
        {
            // The type may become a stored value and an HTTP header of the blob store (S3): a line
            // break or a non-ASCII character there fails, or worse, only after the row exists.
            throw new ArgumentException(
                $"{nameof(IngestRequest)}.{nameof(IngestRequest.DeclaredContentType)} must be at most {MaxContentTypeLength} printable ASCII characters.", nameof(request));
        }
    }

    private static bool IsPrintableAscii(string value, int maxLength)
    {
        if (value.Length > maxLength)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }
}
