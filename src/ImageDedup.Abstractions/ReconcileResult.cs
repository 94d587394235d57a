using System.Globalization;
using System.Text;

namespace ImageDedup;

/// <summary>What a reconcile run repaired (or, in a dry run, would repair).</summary>
public sealed record ReconcileResult
{
    /// <summary>Whether this was a dry run that changed nothing.</summary>
    public required bool DryRun { get; init; }

    /// <summary>Pending rows of ingests that never finished, removed with their blobs (the blob first).</summary>
    public required long PendingRemoved { get; init; }

    /// <summary>Claimed deletions whose claimer died, finished.</summary>
    public required long DeletionsFinished { get; init; }

    /// <summary>Blob writes abandoned by a crash (temp files, incomplete uploads) cleaned up.</summary>
    public required long IncompleteWritesDeleted { get; init; }

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append(CultureInfo.InvariantCulture, $"DryRun = {DryRun}, PendingRemoved = {PendingRemoved}, DeletionsFinished = {DeletionsFinished}, ");
        builder.Append(CultureInfo.InvariantCulture, $"IncompleteWritesDeleted = {IncompleteWritesDeleted}");
        return true;
    }
}
