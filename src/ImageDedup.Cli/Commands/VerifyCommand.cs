using System.CommandLine;
using ImageDedup.Cli.Output;

namespace ImageDedup.Cli.Commands;

/// <summary><c>verify</c>: re-hash every stored blob; exit 1 when any is missing or corrupt.</summary>
internal static class VerifyCommand
{
    public static Command Create()
    {
        var command = new Command("verify", "Re-hash every stored blob against its digest; exit 1 if any is missing or corrupt.");
        command.SetAction(async (result, cancellationToken) =>
        {
            var invocation = new Invocation(result);
            await using var catalogue = invocation.Open();
            var report = await catalogue.VerifyAsync(cancellationToken);
            invocation.Print(new VerifyDocument(report.Checked, report.Missing, report.Corrupt), ToolJson.Default.VerifyDocument, output =>
            {
                output.WriteLine($"checked {report.Checked} original(s): {report.Missing.Count} missing, {report.Corrupt.Count} corrupt");
                foreach (var id in report.Missing)
                {
                    output.WriteLine($"missing: {id}");
                }

                foreach (var id in report.Corrupt)
                {
                    output.WriteLine($"corrupt: {id}");
                }
            });
            return report.Missing.Count + report.Corrupt.Count == 0 ? ExitCodes.Success : ExitCodes.ProblemsFound;
        });
        return command;
    }
}
