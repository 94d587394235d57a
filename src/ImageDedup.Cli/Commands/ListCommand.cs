using System.CommandLine;
using System.Globalization;
using ImageDedup.Cli.Output;

namespace ImageDedup.Cli.Commands;

/// <summary><c>list</c>: every original of the scope, with its holders.</summary>
internal static class ListCommand
{
    public static Command Create()
    {
        var command = new Command("list", "List the stored originals (every state) with their holders.");
        command.SetAction(async (result, cancellationToken) =>
        {
            var invocation = new Invocation(result);
            await using var catalogue = invocation.Open();
            var originals = new List<OriginalDocument>();
            await foreach (var original in catalogue.OriginalsAsync(cancellationToken))
            {
                var holders = new List<string>();
                if (original.State == OriginalState.Live)
                {
                    await foreach (var holder in catalogue.HoldersAsync(original.Id, cancellationToken))
                    {
                        holders.Add(holder.Holder);
                    }
                }

                originals.Add(OriginalDocument.From(original, holders));
            }

            invocation.Print(new ListDocument(catalogue.Directory, originals), ToolJson.Default.ListDocument, output =>
            {
                foreach (var original in originals)
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{original.Id}  {original.Digest[7..19]}  {Sizes.Format(original.Length),10}  {original.ContentType,-12}  {original.State,-8}  refs={original.ReferenceCount}"));
                    foreach (var holder in original.Holders ?? [])
                    {
                        output.WriteLine("    " + holder);
                    }
                }

                output.WriteLine($"{originals.Count} original(s)");
            });
            return ExitCodes.Success;
        });
        return command;
    }
}
