using System.CommandLine;
using System.Globalization;

namespace ImageDedup.Cli;

/// <summary>The tool's commands. Each prints plain lines a person can read and a script can grep.</summary>
internal static class Commands
{
    private static readonly Option<string> Data = new("--data")
    {
        Description = "The data directory holding catalogue.db and blobs/.",
        DefaultValueFactory = _ => ".imagededup",
        Recursive = true,
    };

    private static readonly Option<string> Scope = new("--scope")
    {
        Description = "The scope (tenant); originals are shared only within one.",
        DefaultValueFactory = _ => string.Empty,
        Recursive = true,
    };

    private static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Log what the engine does.",
        Recursive = true,
    };

    public static IEnumerable<Command> All()
    {
        yield return Ingest();
        yield return Release();
        yield return ReleasePrefix();
        yield return Stats();
        yield return List();
        yield return Collect();
        yield return Reconcile();
        yield return Verify();
    }

    private static Command Reconcile()
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "Only report what would be repaired." };
        var grace = new Option<TimeSpan?>("--grace") { Description = "How old leftovers must be before they are removed. Default 1 hour. Unfinished ingests also wait 30 minutes (twice the ingest write timeout), so one still running is never touched." };
        var command = new Command("reconcile", "Repair what a crash left behind: unfinished ingests and deletions, blobs no row names, missing blobs.") { dryRun, grace, Data, Verbose };
        command.SetAction(async (result, cancellationToken) =>
        {
            await using var catalogue = Catalogue.Open(result.GetValue(Data)!, result.GetValue(Verbose));
            var report = await catalogue.Engine.ReconcileAsync(new ReconcileOptions { DryRun = result.GetValue(dryRun), GracePeriod = result.GetValue(grace) }, cancellationToken);
            Console.WriteLine($"{(report.DryRun ? "would remove" : "removed")} {report.PendingRemoved} unfinished ingest(s), {report.OrphanBlobsDeleted} blob(s) no row names; finished {report.DeletionsFinished} deletion(s); {report.IncompleteWritesDeleted} abandoned write(s)");
            foreach (var id in report.MissingBlobs)
            {
                Console.WriteLine($"missing bytes: original {id} (kept and marked)");
            }

            return report.MissingBlobs.Count == 0 ? 0 : 1;
        });
        return command;
    }

    private static Command Verify()
    {
        var command = new Command("verify", "Re-hash every stored blob against its digest.") { Data, Scope, Verbose };
        command.SetAction(async (result, cancellationToken) =>
        {
            await using var catalogue = Catalogue.Open(result.GetValue(Data)!, result.GetValue(Verbose));
            var report = await catalogue.Engine.VerifyAsync(new VerifyOptions(), cancellationToken);
            Console.WriteLine($"checked {report.Checked} original(s): {report.Missing.Count} missing, {report.Corrupt.Count} corrupt, {report.Unreadable.Count} unreadable");
            foreach (var id in report.Missing)
            {
                Console.WriteLine($"missing: {id}");
            }

            foreach (var id in report.Corrupt)
            {
                Console.WriteLine($"corrupt: {id}");
            }

            foreach (var id in report.Unreadable)
            {
                Console.WriteLine($"unreadable: {id}");
            }

            return report.Missing.Count + report.Corrupt.Count + report.Unreadable.Count == 0 ? 0 : 1;
        });
        return command;
    }

    private static Command Ingest()
    {
        var paths = new Argument<string[]>("paths") { Description = "Image files or directories (searched recursively).", Arity = ArgumentArity.OneOrMore };
        var holderPrefix = new Option<string>("--holder-prefix") { Description = "Prefix of each file's holder key; the key is the prefix plus the file's relative path.", DefaultValueFactory = _ => "files/" };
        var command = new Command("ingest", "Store each image once: duplicates are found by content and only referenced.") { paths, holderPrefix, Data, Scope, Verbose };
        command.SetAction(async (result, cancellationToken) =>
        {
            await using var catalogue = Catalogue.Open(result.GetValue(Data)!, result.GetValue(Verbose));
            var scope = result.GetValue(Scope)!;
            var prefix = result.GetValue(holderPrefix)!;
            var report = new IngestReport(Console.Out);
            foreach (var (file, relative) in Files(result.GetValue(paths)!))
            {
                var holder = prefix + relative;
                try
                {
                    await using var stream = File.OpenRead(file);
                    var ingest = await catalogue.Engine.Scope(scope).IngestAsync(stream, new IngestRequest { Holder = holder }, cancellationToken);
                    report.Ingested(holder, ingest);
                }
                catch (ImageDedupException ex)
                {
                    report.Rejected(holder, ex.Message);
                }
            }

            var stats = await catalogue.Engine.Scope(scope).GetStatisticsAsync(cancellationToken);
            report.Summary(stats, catalogue.DataDirectory);
            return 0;
        });
        return command;
    }

    private static Command Release()
    {
        var holder = new Argument<string>("holder") { Description = "The holder key to release." };
        var command = new Command("release", "Release one holder; the last release deletes the original.") { holder, Data, Scope, Verbose };
        command.SetAction(async (result, cancellationToken) =>
        {
            await using var catalogue = Catalogue.Open(result.GetValue(Data)!, result.GetValue(Verbose));
            var release = await catalogue.Engine.Scope(result.GetValue(Scope)!).ReleaseAsync(result.GetValue(holder)!, cancellationToken);
            Console.WriteLine(!release.Released
                ? "nothing to release: the holder has no reference"
                : release.OriginalDeleted
                    ? $"released; original {release.OriginalId} had no other holder and was deleted"
                    : $"released; original {release.OriginalId} keeps {release.RemainingReferences} reference(s)");
            return 0;
        });
        return command;
    }

    private static Command ReleasePrefix()
    {
        var prefix = new Argument<string>("prefix") { Description = "Releases every holder under this prefix (whole segments only)." };
        var command = new Command("release-prefix", "Release every holder under a prefix, e.g. a whole project.") { prefix, Data, Scope, Verbose };
        command.SetAction(async (result, cancellationToken) =>
        {
            await using var catalogue = Catalogue.Open(result.GetValue(Data)!, result.GetValue(Verbose));
            var release = await catalogue.Engine.Scope(result.GetValue(Scope)!).ReleasePrefixAsync(result.GetValue(prefix)!, cancellationToken);
            Console.WriteLine($"released {release.ReferencesReleased} reference(s); deleted {release.OriginalsDeleted} original(s); {release.OriginalsOrphaned} left for garbage collection");
            return 0;
        });
        return command;
    }

    private static Command Stats()
    {
        var all = new Option<bool>("--all-scopes") { Description = "Figures over every scope." };
        var command = new Command("stats", "Show de-duplication figures.") { all, Data, Scope, Verbose };
        command.SetAction(async (result, cancellationToken) =>
        {
            await using var catalogue = Catalogue.Open(result.GetValue(Data)!, result.GetValue(Verbose));
            var stats = result.GetValue(all)
                ? await catalogue.Engine.GetStatisticsAsync(cancellationToken)
                : await catalogue.Engine.Scope(result.GetValue(Scope)!).GetStatisticsAsync(cancellationToken);
            IngestReport.PrintStatistics(Console.Out, stats);
            return 0;
        });
        return command;
    }

    private static Command List()
    {
        var command = new Command("list", "List the stored originals with their holders.") { Data, Scope, Verbose };
        command.SetAction(async (result, cancellationToken) =>
        {
            await using var catalogue = Catalogue.Open(result.GetValue(Data)!, result.GetValue(Verbose));
            var scope = result.GetValue(Scope)!;
            string? cursor = null;
            do
            {
                var page = await catalogue.Engine.Scope(scope).ListOriginalsAsync(cursor, 100, cancellationToken);
                foreach (var original in page.Items)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{original.Id}  {original.Digest.Hex[..12]}  {Sizes.Format(original.Length),10}  {original.ContentType,-12}  {original.State,-8}  refs={original.ReferenceCount}"));
                    if (original.State == OriginalState.Live)
                    {
                        var holders = await catalogue.Engine.Scope(scope).ListHoldersAsync(original.Id, null, 20, cancellationToken);
                        foreach (var holder in holders.Items)
                        {
                            Console.WriteLine($"    {holder.Holder}");
                        }

                        if (holders.NextCursor is not null)
                        {
                            Console.WriteLine("    …");
                        }
                    }
                }

                cursor = page.NextCursor;
            }
            while (cursor is not null);

            return 0;
        });
        return command;
    }

    private static Command Collect()
    {
        var grace = new Option<TimeSpan?>("--grace") { Description = "Orphan grace period (e.g. 00:00:00 to collect every orphan now). Default 1 hour." };
        var command = new Command("gc", "Delete originals that have had no holder for longer than the grace period.") { grace, Data, Scope, Verbose };
        command.SetAction(async (result, cancellationToken) =>
        {
            var period = result.GetValue(grace);
            await using var catalogue = Catalogue.Open(result.GetValue(Data)!, result.GetValue(Verbose), o =>
            {
                if (period is { } p)
                {
                    o.OrphanGracePeriod = p;
                }
            });
            var collected = result.GetValue(Scope) is { } only
                ? await catalogue.Engine.Scope(only).CollectGarbageAsync(cancellationToken)
                : await catalogue.Engine.CollectGarbageAsync(cancellationToken);
            Console.WriteLine($"deleted {collected.OriginalsDeleted} orphan(s), freed {Sizes.Format(collected.BytesFreed)}");
            return 0;
        });
        return command;
    }

    private static IEnumerable<(string File, string Relative)> Files(IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                foreach (var file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                {
                    yield return (file, Path.GetRelativePath(path, file).Replace(Path.DirectorySeparatorChar, '/'));
                }
            }
            else if (File.Exists(path))
            {
                yield return (path, Path.GetFileName(path));
            }
            else
            {
                throw new FileNotFoundException($"No such file or directory: {path}", path);
            }
        }
    }
}
