namespace ImageDedup.SampleApi.Images;

/// <summary>The styles one upload becomes (the seed's staged images: original, thumbnail, web…): one image row each.</summary>
internal static class Styles
{
    public const int MaxPerUpload = 8;

    /// <summary>The requested styles, or why they are refused: 1 to 8 distinct names of lowercase letters, digits and dashes.</summary>
    public static (IReadOnlyList<string> Styles, string? Error) Parse(string[]? requested)
    {
        var styles = requested is { Length: > 0 } ? requested : ["original"];
        if (styles.Length > MaxPerUpload)
        {
            return ([], $"At most {MaxPerUpload} styles per upload.");
        }

        foreach (var style in styles)
        {
            if (style.Length is 0 or > 32 || !style.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-'))
            {
                return ([], $"'{style}' is not a style name: 1 to 32 lowercase letters, digits and dashes.");
            }
        }

        return styles.Distinct(StringComparer.Ordinal).Count() == styles.Length
            ? (styles, null)
            : ([], "Each style may be named once per upload.");
    }
}
