using System.Globalization;

namespace ImageDedup.SampleApi.Images;

/// <summary>
/// The app's names for its references: one holder per image row, under its project, so deleting
/// a project releases one prefix (<c>projects/7</c> never touches <c>projects/70</c>).
/// </summary>
internal static class Holders
{
    public static string Project(long projectId) => string.Create(CultureInfo.InvariantCulture, $"projects/{projectId}");

    public static string Image(long projectId, long imageId) => string.Create(CultureInfo.InvariantCulture, $"projects/{projectId}/images/{imageId}");

    /// <summary>The image row a holder of <see cref="Image(long, long)"/>'s form names, or null for any other key.</summary>
    public static long? ImageId(string holder)
    {
        var parts = holder.Split('/');
        return parts is ["projects", var project, "images", var image]
               && long.TryParse(project, NumberStyles.None, CultureInfo.InvariantCulture, out _)
               && long.TryParse(image, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id
            : null;
    }
}
