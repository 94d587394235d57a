using System.Globalization;
using ImageDedup.SampleApi.Data;

namespace ImageDedup.SampleApi.Images;

/// <summary>An image row as the API shows it; <see cref="Url"/> serves its bytes.</summary>
internal sealed record ImageResponse(long Id, long ProjectId, string Style, Guid? OriginalId, bool Legacy, string? ContentType, long ByteLength, DateTimeOffset CreatedAt, DateTimeOffset? DeletedAt, string Url)
{
    public static ImageResponse From(Image image)
        => new(
            image.Id,
            image.ProjectId,
            image.Style,
            image.OriginalId,
            image.OriginalId is null && image.OriginalUrl is not null,
            image.ContentType,
            image.ByteLength,
            image.CreatedAt,
            image.DeletedAt,
            string.Create(CultureInfo.InvariantCulture, $"/images/{image.Id}/content"));
}
