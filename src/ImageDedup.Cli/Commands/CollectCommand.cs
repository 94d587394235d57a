using System.CommandLine;
using ImageDedup.Cli.Output;

namespace ImageDedup.Cli.Commands;

/// <summary><c>gc</c>: delete orphans older than the grace period.</summary>
internal static class CollectCommand
{
    public static Command Create()
    {
        var grace = new Option<TimeSpan?>("--grace") { Description = "Orphan grace period (00:00:00 collects every orphan now). Default 1 hour." };
        var command = new Command("gc", "Delete originals that have had no holder for longer than the grace period.") { grace };
        command.SetAction(async (result, cancellationToken) =>
        {
            var invocation = new Invocation(result);
            await using var catalogue = invocation.Open(orphanGracePeriod: result.GetValue(grace));
            var collected = await catalogue.CollectGarbageAsync(cancellationToken);
            invocation.Print(new CollectDocument(collected.OriginalsDeleted, collected.BytesFreed), ToolJson.Default.CollectDocument, output =>
                output.WriteLine($"deleted {collected.OriginalsDeleted} orphan(s), freed {Sizes.Format(collected.BytesFreed)}"));
            return ExitCodes.Success;
        });
        return command;
    }
}
