using System.Globalization;
using System.Text;

namespace ImageDedup;

/// <summary>What an audit found and repaired (<see cref="IImageDedup.AuditAsync"/>).</summary>
public sealed record AuditResult
{
    /// <summary>Whether this was a dry run that changed nothing.</summary>
    public required bool DryRun { get; init; }

    /// <summary>Blobs listed in this run.</summary>
    public required long BlobsListed { get; init; }

    /// <summary>Live originals whose blob was checked in this run.</summary>
    public required long OriginalsChecked { get; init; }

    /// <summary>Blobs no row names, older than the grace period, deleted (in a dry run: found).</summary>
    public required long RowlessBlobsDeleted { get; init; }

    /// <summary>Live originals whose blob is missing (at most the first 1,000). They are marked and kept, never dropped.</summary>
    public required IReadOnlyList<Guid> MissingBlobs { get; init; }

    /// <summary>Blob-store requests counted in this run (see <see cref="AuditOptions.MaxRequestsPerSecond"/>).</summary>
    public required long Requests { get; init; }

    /// <summary>Where to resume (<see cref="AuditOptions.Cursor"/>) when the run stopped early at <see cref="AuditOptions.MaxDuration"/>; null when the audit reached the end.</summary>
    public required string? NextCursor { get; init; }

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append(CultureInfo.InvariantCulture, $"DryRun = {DryRun}, BlobsListed = {BlobsListed}, OriginalsChecked = {OriginalsChecked}, ");
        builder.Append(CultureInfo.InvariantCulture, $"RowlessBlobsDeleted = {RowlessBlobsDeleted}, Requests = {Requests}, NextCursor = {NextCursor}, ");
        PrintedList.Append(builder, nameof(MissingBlobs), MissingBlobs);
        return true;
    }
}
