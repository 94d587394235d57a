using System.Diagnostics;

namespace ImageDedup.Engine;

/// <summary>
/// Named places in the delete protocol where the crash tests kill the process. Nothing in the
/// library arms them: only the test process host does, through internals, so a production
/// process pays one null check per point.
/// </summary>
internal static class FaultPoints
{
    public const string AfterPendingRow = "after-pending-row";
    public const string AfterBlobWrite = "after-blob-write";
    public const string BeforeLiveCommit = "before-live-commit";
    public const string AfterDeletingClaim = "after-deleting-claim";
    public const string AfterBlobDelete = "after-blob-delete";
    public const string BeforeRowDelete = "before-row-delete";

    public const string PurgeAfterClaim = "purge-after-claim";
    public const string PurgeAfterBlobDelete = "purge-after-blob-delete";
    public const string PurgeAfterReleaseBatch = "purge-after-release-batch";

    // The steps of one group commit of a batch ingest (GroupCommit).
    public const string BatchAfterAttach = "batch-after-attach";
    public const string BatchAfterPendingRows = "batch-after-pending-rows";
    public const string BatchAfterFirstBlob = "batch-after-first-blob";
    public const string BatchAfterBlobWrites = "batch-after-blob-writes";
    public const string BatchBeforePromote = "batch-before-promote";
    public const string BatchAfterPromote = "batch-after-promote";
    public const string BatchAfterAbandonClaim = "batch-after-abandon-claim";

    /// <summary>The points of a batch's group commit, in the order a group reaches them.</summary>
    public static readonly IReadOnlyList<string> Batch =
        [BatchAfterAttach, BatchAfterPendingRows, BatchAfterFirstBlob, BatchAfterBlobWrites, BatchBeforePromote, BatchAfterPromote, BatchAfterAbandonClaim];

    public static readonly IReadOnlyList<string> All =
        [AfterPendingRow, AfterBlobWrite, BeforeLiveCommit, AfterDeletingClaim, AfterBlobDelete, BeforeRowDelete,
         PurgeAfterClaim, PurgeAfterBlobDelete, PurgeAfterReleaseBatch, .. Batch];

    /// <summary>The point at which the process kills itself (SIGKILL: no finally blocks, no flushing), or null.</summary>
    public static string? Armed { get; set; }

    public static void Hit(string point)
    {
        if (Armed is { } armed && string.Equals(armed, point, StringComparison.Ordinal))
        {
            Process.GetCurrentProcess().Kill();
        }
    }
}
