using System.CommandLine;
using System.Runtime.InteropServices;
using ImageDedup.Cli;
using ImageDedup.Cli.Commands;

var root = new RootCommand("Store every image once, by content, and delete it exactly when its last holder releases it.\n"
    + "Runs ImageDedup on the embedded default: a SQLite catalogue and file-system blobs under --store.");
GlobalOptions.AddTo(root);
root.Subcommands.Add(IngestCommand.Create());
root.Subcommands.Add(ScanCommand.Create());
root.Subcommands.Add(DuplicatesCommand.Create());
root.Subcommands.Add(ListCommand.Create());
root.Subcommands.Add(StatsCommand.Create());
root.Subcommands.Add(ReleaseCommand.Create());
root.Subcommands.Add(CollectCommand.Create());
root.Subcommands.Add(ReconcileCommand.Create());
root.Subcommands.Add(VerifyCommand.Create());
root.Subcommands.Add(ExportCommand.Create());
root.Subcommands.Add(PurgeCommand.Create());
root.Subcommands.Add(BlockCommand.Create());

var parsed = root.Parse(args);
var json = args.Contains("--json", StringComparer.Ordinal);
var verbose = args.Contains("--verbose", StringComparer.Ordinal) || args.Contains("-v", StringComparer.Ordinal);
if (parsed.Errors.Count > 0)
{
    return ErrorReport.Write(CliException.Usage(string.Join(" ", parsed.Errors.Select(e => e.Message)) + " See imagededup --help."), json, verbose);
}

// Ctrl+C and SIGTERM cancel the command instead of ending the process, so an ingest in flight
// undoes itself (no row, no reference, no blob) and the tool exits 130 with its one line.
using var stop = new CancellationTokenSource();
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
try
{
    return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null }, stop.Token);
}
#pragma warning disable CA1031 // The one place every failure becomes a line and an exit code.
catch (Exception ex)
#pragma warning restore CA1031
{
    return ErrorReport.Write(ex, json, verbose);
}

// The first signal asks the command to stop cleanly; a second one ends the process at once
// (reconcile then removes what the interrupted ingests left).
void Cancel(PosixSignalContext context)
{
    context.Cancel = !stop.IsCancellationRequested;
    stop.Cancel();
}
