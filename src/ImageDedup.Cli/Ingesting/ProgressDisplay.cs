using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace ImageDedup.Cli.Ingesting;

/// <summary>
/// Shows an ingest while it runs: a live Spectre.Console display (files, bytes, throughput, ETA)
/// on a terminal, a plain progress line every few seconds when stdout is a file or a pipe, and
/// nothing with --json (stdout then holds exactly one JSON document).
/// </summary>
internal static class ProgressDisplay
{
    private static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(5);

    public static Task TrackAsync(bool json, IngestCounters counters, int totalFiles, long totalBytes, Task work)
    {
        if (json)
        {
            return work;
        }

        return Console.IsOutputRedirected
            ? PlainAsync(counters, totalFiles, totalBytes, work)
            : LiveAsync(counters, totalFiles, totalBytes, work);
    }

    private static async Task LiveAsync(IngestCounters counters, int totalFiles, long totalBytes, Task work)
    {
        await AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(
                new SpinnerColumn(),
                new TaskDescriptionColumn { Alignment = Justify.Left },
                new ProgressBarColumn(),
                new PercentageColumn(),
                new DownloadedColumn(),
                new TransferSpeedColumn(),
                new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(FilesText(0, totalFiles), maxValue: Math.Max(totalBytes, 1));
                while (!work.IsCompleted)
                {
                    await Task.WhenAny(work, Task.Delay(100)).ConfigureAwait(false);
                    task.Description = FilesText(counters.FilesDone, totalFiles);
                    task.Value = counters.BytesDone;
                }

                task.Value = task.MaxValue;
                task.StopTask();
            }).ConfigureAwait(false);

        foreach (var problem in Failures(counters))
        {
            Console.Out.WriteLine(ProblemLine(problem));
        }

        await work.ConfigureAwait(false);
    }

    private static async Task PlainAsync(IngestCounters counters, int totalFiles, long totalBytes, Task work)
    {
        var clock = Stopwatch.StartNew();
        var output = Console.Out;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ingesting {totalFiles} file(s), {Sizes.Format(totalBytes)}"));
        var next = PlainInterval;
        while (!work.IsCompleted)
        {
            await Task.WhenAny(work, Task.Delay(200)).ConfigureAwait(false);
            foreach (var problem in Failures(counters))
            {
                output.WriteLine(ProblemLine(problem));
            }

            if (clock.Elapsed >= next && !work.IsCompleted)
            {
                next = clock.Elapsed + PlainInterval;
                output.WriteLine(PlainLine(counters, totalFiles, totalBytes, clock.Elapsed));
            }
        }

        foreach (var problem in Failures(counters))
        {
            output.WriteLine(ProblemLine(problem));
        }

        await work.ConfigureAwait(false);
    }

    /// <summary>Failures are shown as they happen; skipped files (not images, empty, too large) are only counted in text, listed in --json.</summary>
    private static IEnumerable<Output.FileProblem> Failures(IngestCounters counters)
        => counters.TakeUnreported().Where(p => p.Kind is not (Output.ProblemKinds.NotAnImage or Output.ProblemKinds.Empty or Output.ProblemKinds.TooLarge));

    private static string FilesText(int done, int total) => string.Create(CultureInfo.InvariantCulture, $"{done:N0}/{total:N0} files");

    private static string ProblemLine(Output.FileProblem problem) => $"{problem.Kind}: {problem.Path}: {problem.Reason}";

    private static string PlainLine(IngestCounters counters, int totalFiles, long totalBytes, TimeSpan elapsed)
    {
        var bytes = counters.BytesDone;
        var rate = bytes / Math.Max(elapsed.TotalSeconds, 0.001);
        var eta = rate > 0 ? TimeSpan.FromSeconds((totalBytes - bytes) / rate) : TimeSpan.Zero;
        return string.Create(CultureInfo.InvariantCulture, $"progress: {counters.FilesDone}/{totalFiles} files, {Sizes.Format(bytes)}/{Sizes.Format(totalBytes)}, {Sizes.Format((long)rate)}/s, ETA {eta:hh\\:mm\\:ss}");
    }
}
