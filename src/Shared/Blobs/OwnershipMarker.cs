using System.Text;

namespace ImageDedup.Shared;

/// <summary>
/// The ownership marker a blob store keeps at its location: <c>.imagededup/owner</c>, holding the
/// owning catalogue's identifier as one line of text. The name starts with '.', which no blob key
/// may, so the marker can never collide with a blob and no listing returns it.
/// </summary>
internal static class OwnershipMarker
{
    /// <summary>The folder of the marker under the location; reserved, like the file system's <c>.staging</c>.</summary>
    public const string FolderName = ".imagededup";

    /// <summary>The marker's name relative to the location.</summary>
    public const string Name = FolderName + "/owner";

    /// <summary>The marker's content for <paramref name="catalogueId"/>.</summary>
    public static byte[] Content(Guid catalogueId) => Encoding.UTF8.GetBytes(catalogueId.ToString("D") + "\n");

    /// <summary>The catalogue a marker's content names, or null when it names none (empty, torn, foreign).</summary>
    public static Guid? Parse(ReadOnlySpan<byte> content)
        => Guid.TryParseExact(Encoding.UTF8.GetString(content).Trim(), "D", out var id) ? id : null;

    /// <summary>Throws unless the marker's owner is <paramref name="catalogueId"/>.</summary>
    /// <exception cref="BlobStoreOwnershipException">It names another catalogue, or none.</exception>
    public static void RequireOwner(string location, Guid catalogueId, Guid? owner)
    {
        if (owner != catalogueId)
        {
            throw new BlobStoreOwnershipException(location, catalogueId, owner);
        }
    }
}
