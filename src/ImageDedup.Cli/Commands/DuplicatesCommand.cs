using System.CommandLine;
using System.Globalization;
using ImageDedup.Cli.Output;

namespace ImageDedup.Cli.Commands;

/// <summary><c>duplicates</c>: the originals more than one holder shares, biggest saving first.</summary>
internal static class DuplicatesCommand
{
    public static Command Create()
    {
        var command = new Command("duplicates", "List groups of holders that share one original, biggest saving first.");
        command.SetAction(async (result, cancellationToken) =>
        {
            var invocation = new Invocation(result);
            await using var catalogue = invocation.Open();
            var groups = new List<DuplicateGroup>();
            await foreach (var original in catalogue.OriginalsAsync(cancellationToken))
            {
                if (original.State != OriginalState.Live || original.ReferenceCount < 2)
                {
                    continue;
                }

                var holders = new List<string>();
                await foreach (var holder in catalogue.HoldersAsync(original.Id, cancellationToken))
                {
                    holders.Add(holder.Holder);
                }

                groups.Add(new DuplicateGroup(original.Id, original.Digest.ToString(), original.Length, original.ContentType, original.Length * (holders.Count - 1), holders));
            }

            groups.Sort((a, b) => b.BytesSaved != a.BytesSaved ? b.BytesSaved.CompareTo(a.BytesSaved) : string.CompareOrdinal(a.Digest, b.Digest));
            var saved = groups.Sum(g => g.BytesSaved);
            invocation.Print(new DuplicatesDocument(catalogue.Directory, saved, groups), ToolJson.Default.DuplicatesDocument, output =>
            {
                foreach (var group in groups)
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{group.Holders.Count} holders of {group.OriginalId} ({Sizes.Format(group.Length)} {group.ContentType}), saving {Sizes.Format(group.BytesSaved)}:"));
                    foreach (var holder in group.Holders)
                    {
                        output.WriteLine("  " + holder);
                    }
                }

                output.WriteLine($"{groups.Count} shared original(s); de-duplication saves {Sizes.Format(saved)}");
            });
            return ExitCodes.Success;
        });
        return command;
    }
}
