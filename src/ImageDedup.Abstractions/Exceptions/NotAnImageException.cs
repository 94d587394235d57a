namespace ImageDedup;

/// <summary>The content does not start like any supported image format. Nothing was stored.</summary>
public sealed class NotAnImageException : ImageDedupException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="declaredContentType">The content type the caller declared, if any.</param>
    public NotAnImageException(string? declaredContentType)
        : base(declaredContentType is null
            ? "The content is not a supported image (JPEG, PNG, GIF, WebP, BMP, TIFF, ICO, HEIC/HEIF, AVIF or JPEG XL)."
            : $"The content was declared as '{declaredContentType}' but is not a supported image (JPEG, PNG, GIF, WebP, BMP, TIFF, ICO, HEIC/HEIF, AVIF or JPEG XL).")
        => DeclaredContentType = declaredContentType;

    /// <summary>The content type the caller declared, if any.</summary>
    public string? DeclaredContentType { get; }
}
