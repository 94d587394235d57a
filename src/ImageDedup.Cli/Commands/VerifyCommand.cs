using System.CommandLine;
using ImageDedup.Cli.Output;

namespace ImageDedup.Cli.Commands;

/// <summary><c>verify</c>: re-hash every stored blob; exit 1 when any is missing, corrupt or unreadable.</summary>
internal static class VerifyCommand
{
    public static Command Create()
    {
        var command = new Command("verify", "Re-hash every stored blob against its digest; exit 1 if any is missing, corrupt or unreadable.");
        command.SetAction(async (result, cancellationToken) =>
        {
            var invocation = new Invocation(result);
            await using var catalogue = invocation.Open();
            var report = await catalogue.VerifyAsync(cancellationToken);
            invocation.Print(new VerifyDocument(report.Checked, report.Missing, report.Corrupt, report.Unreadable), ToolJson.Default.VerifyDocument, output =>
            {
                output.WriteLine($"checked {report.Checked} original(s): {report.Missing.Count} missing, {report.Corrupt.Count} corrupt, {report.Unreadable.Count} unreadable");
                foreach (var id in report.Missing)
                {
                    output.WriteLine($"missing: {id}");
                }

                foreach (var id in report.Corrupt)
                {
                    output.WriteLine($"corrupt: {id}");
                }

                // Unreadable: the read failed (I/O, network); the bytes may be whole, a later verify retries.
                foreach (var id in report.Unreadable)
                {
                    output.WriteLine($"unreadable: {id}");
                }
            });
            return report.Missing.Count + report.Corrupt.Count + report.Unreadable.Count == 0 ? ExitCodes.Success : ExitCodes.ProblemsFound;
        });
        return command;
    }
}
