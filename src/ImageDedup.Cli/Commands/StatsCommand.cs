using System.CommandLine;
using ImageDedup.Cli.Output;

namespace ImageDedup.Cli.Commands;

/// <summary><c>stats</c>: the store's de-duplication figures.</summary>
internal static class StatsCommand
{
    public static Command Create()
    {
        var all = new Option<bool>("--all-scopes") { Description = "Figures over every scope." };
        var command = new Command("stats", "Show de-duplication figures: originals, references, bytes saved, orphans.") { all };
        command.SetAction(async (result, cancellationToken) =>
        {
            var invocation = new Invocation(result);
            await using var catalogue = invocation.Open();
            var stats = StatisticsDocument.From(await catalogue.StatisticsAsync(result.GetValue(all), cancellationToken));
            invocation.Print(new StoreDocument(catalogue.Directory, stats), ToolJson.Default.StoreDocument, output => StatisticsText.Write(output, stats));
            return ExitCodes.Success;
        });
        return command;
    }
}
