using System.Buffers.Binary;

namespace ImageDedup.Tests.Truncation;

/// <summary>The images tests/fixtures/make-images.sh made with real encoders, and where each one's structure ends.</summary>
internal static class FixtureImages
{
    public static readonly string Root = Path.Combine(RepositoryRoot(), "tests", "fixtures", "images");

    /// <summary>Every fixture, by its path under the fixtures folder (e.g. "png/alpha.png").</summary>
    public static IReadOnlyList<string> Names { get; } = Directory.GetFiles(Root, "*", SearchOption.AllDirectories)
        .Select(f => Path.GetRelativePath(Root, f).Replace('\\', '/'))
        .Order(StringComparer.Ordinal)
        .ToArray();

    /// <summary>The fixtures whose truncation can be seen: all but the bare JPEG XL codestream, which has no lengths.</summary>
    public static IEnumerable<string> Checkable => Names.Where(n => n != "jxl/codestream.jxl");

    public static byte[] Read(string name) => File.ReadAllBytes(Path.Combine(Root, name));

    /// <summary>
    /// Where the image's own structure ends: the file's length, except for the fixtures made with
    /// bytes after the end on purpose (a Motion-Photo-style video after the JPEG's EOI, zeros after
    /// IEND) and exiftool's TIFF, which it pads to an even length after the last strip.
    /// </summary>
    public static int LogicalEnd(string name, byte[] bytes) => name switch
    {
        "tiff/exif.tif" => bytes.Length - 1,
        "jpeg/motion-photo-trailer.jpg" => Read("jpeg/exif-thumbnail.jpg").Length,
        "png/padding-after-iend.png" => bytes.Length - 512,
        _ => bytes.Length,
    };

    /// <summary>A cut just after the format's header: signature and first header structure.</summary>
    public static int HeaderCut(string name, byte[] bytes) => Path.GetExtension(name) switch
    {
        ".png" => 33, // signature + IHDR
        ".jpg" => 20, // SOI + the first segment's marker and length, well inside it
        ".gif" => 13, // header + logical screen descriptor
        ".webp" => 12, // RIFF header
        ".bmp" => 54, // file header + a Windows DIB header
        ".tif" => 8, // byte order, magic, first IFD offset
        ".ico" => 22, // header + the first directory entry
        ".jxl" => 32, // the JPEG XL signature box + ftyp
        _ => (int)BinaryPrimitives.ReadUInt32BigEndian(bytes), // ISO-BMFF: the ftyp box
    };

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ImageDedup.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("ImageDedup.sln not found above " + AppContext.BaseDirectory);
    }
}
