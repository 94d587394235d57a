using System.CommandLine;
using System.Globalization;
using ImageDedup.Cli.Output;
using ImageDedup.Cli.Scanning;
using ImageDedup.Cli.Walking;

namespace ImageDedup.Cli.Commands;

/// <summary><c>scan PATH...</c>: groups of identical files, found without opening or creating a store.</summary>
internal static class ScanCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("paths") { Description = "Files or directories (walked recursively, symlinks followed once).", Arity = ArgumentArity.OneOrMore };
        var command = new Command("scan", "List groups of identical files without storing anything (size first, then hashes of the colliding sizes only).") { paths };
        command.SetAction((result, cancellationToken) =>
        {
            var invocation = new Invocation(result);
            invocation.Phase("start-up");
            var arguments = result.GetValue(paths)!;
            FileWalk.Canonicalize(arguments);
            var scan = DuplicateScan.Run(arguments, Environment.ProcessorCount * 2, invocation.Phase, cancellationToken);
            invocation.Print(scan, ToolJson.Default.ScanDocument, output =>
            {
                foreach (var group in scan.Groups)
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{group.Files.Count} files of {Sizes.Format(group.Length)} ({group.Digest[..19]}):"));
                    foreach (var file in group.Files)
                    {
                        output.WriteLine("  " + file);
                    }

                    output.WriteLine();
                }

                foreach (var problem in scan.Problems)
                {
                    output.WriteLine($"{problem.Kind}: {problem.Path}: {problem.Reason}");
                }

                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{scan.FilesSeen} file(s) ({Sizes.Format(scan.BytesSeen)}); hashed {scan.FilesHashed} ({Sizes.Format(scan.BytesHashed)}); {scan.Groups.Count} group(s) with {scan.DuplicateFiles} duplicate(s); {Sizes.Format(scan.BytesReclaimable)} reclaimable"));
            });
            return Task.FromResult(scan.Problems.Count > 0 ? ExitCodes.ProblemsFound : ExitCodes.Success);
        });
        return command;
    }
}
