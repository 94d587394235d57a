using System.CommandLine;
using System.Globalization;
using ImageDedup.Cli.Output;

namespace ImageDedup.Cli.Commands;

/// <summary>
/// <c>block add|remove DIGEST --reason R [--everywhere]</c> and <c>block list [--everywhere]</c>: the
/// digests the store refuses — an ingest of them stores nothing and is reported as <c>blocked</c>.
/// </summary>
internal static class BlockCommand
{
    public static Command Create()
    {
        var command = new Command("block", "Manage the block list: digests the store refuses, in the scope or in every scope.");
        command.Subcommands.Add(Add());
        command.Subcommands.Add(Remove());
        command.Subcommands.Add(List());
        return command;
    }

    private static Command Add()
    {
        var digest = new Argument<string>("digest") { Description = "The bytes to refuse: sha256:<64 hex digits>." };
        var reason = TakedownArguments.Reason("Why: kept with the entry and logged.");
        var everywhere = TakedownArguments.Everywhere("Refuse the bytes in every scope, not only --scope.");
        var by = TakedownArguments.By();
        var command = new Command("add", "Refuse these bytes from now on; originals already stored stay until purged.") { digest, reason, everywhere, by };
        command.SetAction(async (result, cancellationToken) =>
        {
            var invocation = new Invocation(result);
            var refused = TakedownArguments.Digest(result.GetValue(digest)!);
            await using var catalogue = invocation.Open();
            var entry = BlockDocument.From(await catalogue.BlockAsync(refused, new BlockRequest { RequestedBy = result.GetValue(by)!, Reason = result.GetValue(reason)! }, result.GetValue(everywhere), cancellationToken));
            invocation.Print(entry, ToolJson.Default.BlockDocument, output => output.WriteLine($"blocked {entry.Digest} in {TakedownArguments.Where(entry.Scope)}: {entry.Reason}"));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Remove()
    {
        var digest = new Argument<string>("digest") { Description = "The bytes to accept again: sha256:<64 hex digits>." };
        var reason = TakedownArguments.Reason("Why the block is lifted: logged.");
        var everywhere = TakedownArguments.Everywhere("Remove the global entry, not the one of --scope.");
        var by = TakedownArguments.By();
        var command = new Command("remove", "Accept these bytes again (the entry of the scope, or the global one).") { digest, reason, everywhere, by };
        command.SetAction(async (result, cancellationToken) =>
        {
            var invocation = new Invocation(result);
            var accepted = TakedownArguments.Digest(result.GetValue(digest)!);
            var all = result.GetValue(everywhere);
            await using var catalogue = invocation.Open();
            var removed = await catalogue.UnblockAsync(accepted, new BlockRequest { RequestedBy = result.GetValue(by)!, Reason = result.GetValue(reason)! }, all, cancellationToken);
            var scope = all ? null : invocation.Scope;
            invocation.Print(new UnblockDocument(scope, accepted.ToString(), removed), ToolJson.Default.UnblockDocument, output =>
                output.WriteLine(removed ? $"unblocked {accepted} in {TakedownArguments.Where(scope)}" : $"nothing to remove: {accepted} has no entry in {TakedownArguments.Where(scope)}"));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List()
    {
        var everywhere = TakedownArguments.Everywhere("Every entry: the global ones and every scope's, not only those of --scope.");
        var command = new Command("list", "List the block list: the entries of --scope, or every entry.") { everywhere };
        command.SetAction(async (result, cancellationToken) =>
        {
            var invocation = new Invocation(result);
            await using var catalogue = invocation.Open();
            var entries = new List<BlockDocument>();
            await foreach (var entry in catalogue.BlockedAsync(result.GetValue(everywhere), cancellationToken))
            {
                entries.Add(BlockDocument.From(entry));
            }

            invocation.Print(new BlockListDocument(catalogue.Directory, entries), ToolJson.Default.BlockListDocument, output =>
            {
                foreach (var entry in entries)
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{entry.Digest}  {TakedownArguments.Where(entry.Scope),-24}  {entry.BlockedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z  {entry.BlockedBy}: {entry.Reason}"));
                }

                output.WriteLine($"{entries.Count} entr{(entries.Count == 1 ? "y" : "ies")}");
            });
            return ExitCodes.Success;
        });
        return command;
    }
}
