using System.CommandLine;
using ImageDedup.Cli.Output;

namespace ImageDedup.Cli.Commands;

/// <summary>
/// <c>reconcile</c>: repair what a crash left behind (stale pending and deleting rows, abandoned
/// writes: cheap, by index). <c>--full</c> adds the audit, which lists every blob and checks every
/// live original's blob; exit 1 when a live original's bytes are missing.
/// </summary>
internal static class ReconcileCommand
{
    public static Command Create()
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "Only report what would be repaired." };
        var grace = new Option<TimeSpan?>("--grace") { Description = "How old leftovers must be before they are removed. Default 1 hour." };
        var full = new Option<bool>("--full") { Description = "Also audit the whole store: delete blobs no row names, mark live originals whose blob is missing. Costs a listing of every blob and a check per original." };
        var cursor = new Option<string?>("--cursor") { Description = "With --full: resume the audit from the cursor an earlier run printed." };
        var rate = new Option<double?>("--rate") { Description = "With --full: the most blob-store requests a second. Default: no limit." };
        var command = new Command("reconcile", "Repair what a crash left behind: unfinished ingests and deletions, abandoned writes; with --full, also blobs no row names and missing blobs.") { dryRun, grace, full, cursor, rate };
        command.SetAction(async (result, cancellationToken) =>
        {
            var invocation = new Invocation(result);
            await using var catalogue = invocation.Open();
            var report = await catalogue.ReconcileAsync(result.GetValue(dryRun), result.GetValue(grace), cancellationToken);
            var audit = result.GetValue(full)
                ? await catalogue.AuditAsync(result.GetValue(dryRun), result.GetValue(grace), result.GetValue(cursor), result.GetValue(rate), cancellationToken)
                : null;
            var missing = audit?.MissingBlobs ?? [];
            var document = new ReconcileDocument(report.DryRun, report.PendingRemoved, report.DeletionsFinished, audit?.RowlessBlobsDeleted ?? 0, report.IncompleteWritesDeleted, missing, audit is not null, audit?.NextCursor);
            invocation.Print(document, ToolJson.Default.ReconcileDocument, output =>
            {
                output.WriteLine($"{(report.DryRun ? "would remove" : "removed")} {report.PendingRemoved} unfinished ingest(s); finished {report.DeletionsFinished} deletion(s); {report.IncompleteWritesDeleted} abandoned write(s)");
                if (audit is not null)
                {
                    output.WriteLine($"audit: {audit.BlobsListed} blob(s) listed, {audit.OriginalsChecked} original(s) checked, {(report.DryRun ? "would delete" : "deleted")} {audit.RowlessBlobsDeleted} blob(s) no row names");
                }

                foreach (var id in missing)
                {
                    output.WriteLine($"missing bytes: original {id} (kept and marked)");
                }
            });
            return missing.Count == 0 ? ExitCodes.Success : ExitCodes.ProblemsFound;
        });
        return command;
    }
}
