using System.CommandLine;
using ImageDedup.Cli.Output;

namespace ImageDedup.Cli.Commands;

/// <summary><c>release HOLDER</c> or <c>release --prefix P</c>: let go of holders; the last release deletes the original.</summary>
internal static class ReleaseCommand
{
    public static Command Create()
    {
        var holder = new Argument<string?>("holder") { Description = "The holder key to release.", Arity = ArgumentArity.ZeroOrOne };
        var prefix = new Option<string?>("--prefix") { Description = "Release every holder under this prefix (whole segments: files/a never matches files/ab/…)." };
        var command = new Command("release", "Release one holder, or every holder under a prefix; an original's last release deletes it.") { holder, prefix };
        command.Validators.Add(r =>
        {
            if ((r.GetValue(holder) is null) == (r.GetValue(prefix) is null))
            {
                r.AddError("Give either a holder or --prefix P, not both.");
            }
        });
        command.SetAction(async (result, cancellationToken) =>
        {
            var invocation = new Invocation(result);
            await using var catalogue = invocation.Open();
            if (result.GetValue(prefix) is { } p)
            {
                var batch = await catalogue.ReleasePrefixAsync(p, cancellationToken);
                invocation.Print(new PrefixReleaseDocument(p, batch.ReferencesReleased, batch.OriginalsDeleted, batch.OriginalsOrphaned), ToolJson.Default.PrefixReleaseDocument, output =>
                    output.WriteLine($"released {batch.ReferencesReleased} reference(s); deleted {batch.OriginalsDeleted} original(s); {batch.OriginalsOrphaned} left for garbage collection"));
                return ExitCodes.Success;
            }

            var key = result.GetValue(holder)!;
            var release = await catalogue.ReleaseAsync(key, cancellationToken);
            invocation.Print(new ReleaseDocument(key, release.Released, release.OriginalId, release.RemainingReferences, release.OriginalDeleted, release.OriginalOrphaned), ToolJson.Default.ReleaseDocument, output =>
                output.WriteLine(!release.Released
                    ? $"nothing to release: {key} has no reference"
                    : release.OriginalDeleted
                        ? $"released {key}; original {release.OriginalId} had no other holder and was deleted"
                        : $"released {key}; original {release.OriginalId} keeps {release.RemainingReferences} reference(s)"));
            return ExitCodes.Success;
        });
        return command;
    }
}
