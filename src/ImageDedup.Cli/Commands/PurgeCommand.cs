using System.CommandLine;
using ImageDedup.Cli.Output;

namespace ImageDedup.Cli.Commands;

/// <summary>
/// <c>purge ID|DIGEST --reason R [--block] [--everywhere]</c>: take an original down now — every
/// holder released (and listed), its bytes deleted without a grace period, its row removed — and,
/// with <c>--block</c>, refuse the same bytes from then on. Exit 1 when the bytes of a purged
/// original could not be deleted yet (reconcile finishes it).
/// </summary>
internal static class PurgeCommand
{
    public static Command Create()
    {
        var target = new Argument<string>("original") { Description = "An original's id, or a digest (sha256:<64 hex digits>): every original holding those bytes." };
        var reason = TakedownArguments.Reason("Why (a legal notice, an erasure request, a report): logged, and kept in the block list with --block.");
        var block = new Option<bool>("--block") { Description = "Also refuse these bytes from now on (block list), in the scope or, with --everywhere, in every scope." };
        var everywhere = TakedownArguments.Everywhere("Take the bytes down in every scope, not only --scope.");
        var by = TakedownArguments.By();
        var command = new Command("purge", "Take an original down now: release every holder, delete its bytes and row; --block refuses the bytes from then on.") { target, reason, block, everywhere, by };
        command.SetAction(async (result, cancellationToken) =>
        {
            var invocation = new Invocation(result);
            var key = result.GetValue(target)!;
            Guid? id = Guid.TryParse(key, out var parsed) ? parsed : null;
            var digest = id is null ? TakedownArguments.Digest(key) : default;
            var request = new PurgeRequest { RequestedBy = result.GetValue(by)!, Reason = result.GetValue(reason)!, Block = result.GetValue(block) };
            var all = result.GetValue(everywhere);

            await using var catalogue = invocation.Open();
            var purge = id is { } originalId
                ? await catalogue.PurgeAsync(originalId, request, all, cancellationToken)
                : await catalogue.PurgeAsync(digest, request, all, cancellationToken);

            var holders = purge.Holders.Select(h => new ReleasedHolderDocument(h.Scope, h.Holder, h.OriginalId)).ToList();
            var document = new PurgeDocument(
                purge.Digest.ToString(), purge.OriginalsPurged, purge.OriginalsUnfinished, purge.HoldersReleased, holders, purge.Block is { } entry ? BlockDocument.From(entry) : null);
            invocation.Print(document, ToolJson.Default.PurgeDocument, output =>
            {
                output.WriteLine($"purged {purge.OriginalsPurged.Count} original(s) of {purge.Digest}; released {purge.HoldersReleased} holder(s)");
                foreach (var holder in holders)
                {
                    output.WriteLine(all ? $"    [{holder.Scope}] {holder.Holder}" : $"    {holder.Holder}");
                }

                foreach (var unfinished in purge.OriginalsUnfinished)
                {
                    output.WriteLine($"not finished: original {unfinished} is unreadable but its bytes are not deleted yet (reconcile finishes it)");
                }

                if (purge.Block is { } blocked)
                {
                    output.WriteLine($"blocked in {TakedownArguments.Where(blocked.Scope)}: {blocked.Reason}");
                }
            });
            return purge.Finished ? ExitCodes.Success : ExitCodes.ProblemsFound;
        });
        return command;
    }
}
