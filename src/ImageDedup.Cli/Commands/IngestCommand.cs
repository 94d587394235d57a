using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using ImageDedup.Cli.Ingesting;
using ImageDedup.Cli.Output;
using ImageDedup.Cli.Walking;

namespace ImageDedup.Cli.Commands;

/// <summary><c>ingest PATH...</c>: store each image once, each file under the holder key of its canonical path.</summary>
internal static class IngestCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("paths") { Description = "Image files or directories (walked recursively, symlinks followed once).", Arity = ArgumentArity.OneOrMore };
        var holderPrefix = new Option<string>("--holder-prefix")
        {
            Description = "Prefix of each file's holder key; the key is the prefix plus the file's absolute path with links resolved.",
            DefaultValueFactory = _ => "files/",
        };
        var jobs = new Option<int>("--jobs", "-j")
        {
            Description = "How many files are read and hashed at once (default: one per core).",
            DefaultValueFactory = _ => DefaultJobs,
        };
        jobs.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--jobs must be at least 1.");
            }
        });

        var command = new Command("ingest", "Store each image once: duplicates are found by content and only referenced.") { paths, holderPrefix, jobs };
        command.SetAction(async (result, cancellationToken) =>
        {
            var invocation = new Invocation(result);
            invocation.Phase("start-up");
            var arguments = result.GetValue(paths)!;
            FileWalk.Canonicalize(arguments); // a path that does not exist stops the run before the store is touched
            var clock = Stopwatch.StartNew();
            await using var catalogue = invocation.Open(create: true);
            var walk = FileWalk.Run(arguments, cancellationToken);
            invocation.Phase("walk");
            var counters = new IngestCounters();
            foreach (var problem in walk.Problems)
            {
                counters.Failed(new FileProblem(problem.Path, ProblemKinds.Unlistable, problem.Reason));
            }

            var work = IngestRun.RunAsync(catalogue, walk.Files, result.GetValue(holderPrefix)!, result.GetValue(jobs), counters, cancellationToken);
            await ProgressDisplay.TrackAsync(invocation.Json, counters, walk.Files.Count, walk.TotalBytes, work);
            invocation.Phase("ingest");
            var stats = StatisticsDocument.From(await catalogue.StatisticsAsync(allScopes: false, cancellationToken));
            var summary = counters.Summary(walk.Files.Count, walk.LinksFollowed, walk.ReachedAgain, clock.Elapsed);
            invocation.Print(new IngestDocument(catalogue.Directory, summary, counters.Problems, stats), ToolJson.Default.IngestDocument, output =>
            {
                output.WriteLine();
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"files seen: {summary.FilesSeen} ({Sizes.Format(summary.BytesRead)}) in {summary.Seconds:0.0} s; links followed: {summary.LinksFollowed}; reached again: {summary.ReachedAgain}"));
                output.WriteLine($"images ingested: {summary.ImagesIngested}; unique originals: {summary.UniqueOriginals} ({summary.NewOriginals} new); duplicates: {summary.Duplicates}; unchanged: {summary.Unchanged}; references added: {summary.ReferencesAdded}");
                output.WriteLine($"bytes stored: {Sizes.Format(summary.BytesStored)}; bytes saved: {Sizes.Format(summary.BytesSaved)}");
                output.WriteLine($"skipped: {summary.NonImages} not image(s), {summary.TooLarge} too large; unreadable: {summary.Unreadable}; blocked: {summary.Blocked}");
                output.WriteLine($"store {catalogue.Directory}:");
                StatisticsText.Write(output, stats);
            });
            return summary.Unreadable > 0 || summary.Blocked > 0 ? ExitCodes.ProblemsFound : ExitCodes.Success;
        });
        return command;
    }

    /// <summary>One per core: files are stored in groups, each with one set of commits and one flush, while the next group is hashed.</summary>
    private static int DefaultJobs => Environment.ProcessorCount;
}
