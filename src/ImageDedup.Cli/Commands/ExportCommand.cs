using System.CommandLine;
using ImageDedup.Cli.Output;

namespace ImageDedup.Cli.Commands;

/// <summary>
/// <c>export ID|HOLDER --out FILE</c>: write an original's bytes to a file, verified against the
/// digest while they stream. The file appears only whole and verified (written beside it, then
/// renamed); a corrupt or missing original leaves nothing.
/// </summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var what = new Argument<string>("original") { Description = "An original's id, or a holder key." };
        var output = new Option<string>("--out", "-o") { Description = "The file to write.", Required = true };
        var force = new Option<bool>("--force") { Description = "Replace the file if it exists." };
        var command = new Command("export", "Write an original's bytes (by id or holder) to a file, verified against its digest.") { what, output, force };
        command.SetAction(async (result, cancellationToken) =>
        {
            var invocation = new Invocation(result);
            var target = Path.GetFullPath(result.GetValue(output)!);
            var replace = result.GetValue(force);
            if (!replace && Path.Exists(target))
            {
                throw new CliException(ExitCodes.OutputFailed, "output-exists", $"{target} exists (--force replaces it).");
            }

            await using var catalogue = invocation.Open();
            var key = result.GetValue(what)!;
            var original = (Guid.TryParse(key, out var id) ? await catalogue.GetAsync(id, cancellationToken) : null)
                ?? await catalogue.FindByHolderAsync(key, cancellationToken)
                ?? throw new CliException(ExitCodes.NotFound, "original-not-found", $"No original has the id or holder {key}.");

            await WriteAsync(catalogue, original, target, replace, cancellationToken);
            invocation.Print(new ExportDocument(original.Id, original.Digest.ToString(), original.Length, original.ContentType, target), ToolJson.Default.ExportDocument, text =>
                text.WriteLine($"wrote {Sizes.Format(original.Length)} ({original.ContentType}, {original.Digest}) to {target}"));
            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task WriteAsync(Catalogue catalogue, Original original, string target, bool replace, CancellationToken cancellationToken)
    {
        var temporary = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.part");
        try
        {
            var source = await catalogue.OpenVerifiedReadAsync(original.Id, cancellationToken);
            await using (source)
            {
                var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
                await using (file)
                {
                    await source.CopyToAsync(file, 1 << 20, cancellationToken);
                    file.Flush(flushToDisk: true);
                }
            }

            File.Move(temporary, target, replace);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.OutputFailed, "output-failed", $"Could not write {target}: {ex.Message}", ex);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
