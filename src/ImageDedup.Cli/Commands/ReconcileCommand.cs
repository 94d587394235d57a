using System.CommandLine;
using ImageDedup.Cli.Output;

namespace ImageDedup.Cli.Commands;

/// <summary><c>reconcile</c>: repair what a crash left behind; exit 1 when a live original's bytes are missing.</summary>
internal static class ReconcileCommand
{
    public static Command Create()
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "Only report what would be repaired." };
        var grace = new Option<TimeSpan?>("--grace") { Description = "How old leftovers must be before they are removed. Default 1 hour." };
        var command = new Command("reconcile", "Repair what a crash left behind: unfinished ingests and deletions, blobs no row names, missing blobs.") { dryRun, grace };
        command.SetAction(async (result, cancellationToken) =>
        {
            var invocation = new Invocation(result);
            await using var catalogue = invocation.Open();
            var report = await catalogue.ReconcileAsync(result.GetValue(dryRun), result.GetValue(grace), cancellationToken);
            var document = new ReconcileDocument(report.DryRun, report.PendingRemoved, report.DeletionsFinished, report.OrphanBlobsDeleted, report.IncompleteWritesDeleted, report.MissingBlobs);
            invocation.Print(document, ToolJson.Default.ReconcileDocument, output =>
            {
                output.WriteLine($"{(report.DryRun ? "would remove" : "removed")} {report.PendingRemoved} unfinished ingest(s), {report.OrphanBlobsDeleted} blob(s) no row names; finished {report.DeletionsFinished} deletion(s); {report.IncompleteWritesDeleted} abandoned write(s)");
                foreach (var id in report.MissingBlobs)
                {
                    output.WriteLine($"missing bytes: original {id} (kept and marked)");
                }
            });
            return report.MissingBlobs.Count == 0 ? ExitCodes.Success : ExitCodes.ProblemsFound;
        });
        return command;
    }
}
