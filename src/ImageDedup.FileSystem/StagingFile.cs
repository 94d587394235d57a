namespace ImageDedup.FileSystem;

/// <summary>A temp file in the staging folder: a write in progress, or left behind by a crash.</summary>
/// <param name="Path">The full path of the temp file.</param>
/// <param name="Length">Its length so far.</param>
/// <param name="LastModified">When it was last written (UTC).</param>
internal sealed record StagingFile(string Path, long Length, DateTimeOffset LastModified);
