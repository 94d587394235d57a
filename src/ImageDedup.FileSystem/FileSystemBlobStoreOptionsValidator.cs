using Microsoft.Extensions.Options;

namespace ImageDedup.FileSystem;

/// <summary>Checks <see cref="FileSystemBlobStoreOptions"/> when the host starts.</summary>
internal sealed class FileSystemBlobStoreOptionsValidator : IValidateOptions<FileSystemBlobStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, FileSystemBlobStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Check(options) is { } failure ? ValidateOptionsResult.Fail(failure) : ValidateOptionsResult.Success;
    }

    /// <summary>Returns why the options are unusable, or null when they are fine.</summary>
    internal static string? Check(FileSystemBlobStoreOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.RootPath))
        {
            return "FileSystemBlobStoreOptions.RootPath is required: the directory that holds the blobs.";
        }

        string full;
        try
        {
            full = Path.GetFullPath(options.RootPath);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return $"FileSystemBlobStoreOptions.RootPath '{options.RootPath}' is not a valid path: {ex.Message}";
        }

        return Path.IsPathFullyQualified(full)
            ? null
            : $"FileSystemBlobStoreOptions.RootPath '{options.RootPath}' does not resolve to an absolute path.";
    }
}
