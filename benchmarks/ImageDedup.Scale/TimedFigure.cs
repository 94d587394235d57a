using System.Diagnostics;

namespace ImageDedup.Scale;

/// <summary>
/// One figure of one catalogue: up to <paramref name="Count"/> timed operations, with untimed work
/// before them (<paramref name="Prepare"/>), after each (<paramref name="AfterEach"/>) and after the
/// last (<paramref name="Finish"/>, given how many ran).
/// </summary>
internal sealed record TimedFigure(string Name, int Count, Func<int, Task> Operation, Func<Task>? Prepare = null, Func<Task>? AfterEach = null, Func<int, Task>? Finish = null)
{
    /// <summary>Operations of one catalogue before the other's turn.</summary>
    private const int Block = 5;

    /// <summary>
    /// Measures the same figure on two catalogues, <see cref="Block"/> operations of one, then of the
    /// other, until both are done, and returns the p50 (ms) and the operation count of each. Anything
    /// else the machine does meanwhile (another program, the kernel writing back the last figure's
    /// pages, a burst of slow fsyncs) falls on both sizes alike: measured a whole figure apart, a
    /// fraction of a second, single SQLite operations still read from 0.9 to 1.3 between runs of the
    /// same code. Each catalogue stops early (after at least five operations) once its own operations
    /// have taken <see cref="ScaleSettings.Budget"/>, so an operation whose cost grows with the store
    /// still finishes, with fewer samples, as the counts show.
    /// </summary>
    public static async Task<((double P50, int Count) First, (double P50, int Count) Second)> InTurnsAsync(ScaleSettings settings, TimedFigure first, TimedFigure second)
    {
        var figures = new[] { first, second };
        var latencies = new[] { new List<double>(first.Count), new List<double>(second.Count) };
        var spent = new[] { TimeSpan.Zero, TimeSpan.Zero };
        foreach (var figure in figures)
        {
            if (figure.Prepare is not null)
            {
                await figure.Prepare();
            }
        }

        bool Wants(int i) => latencies[i].Count < figures[i].Count && (latencies[i].Count < 5 || spent[i] < settings.Budget);
        while (Wants(0) || Wants(1))
        {
            for (var i = 0; i < 2; i++)
            {
                for (var n = 0; n < Block && Wants(i); n++)
                {
                    var clock = Stopwatch.StartNew();
                    await figures[i].Operation(latencies[i].Count);
                    latencies[i].Add(clock.Elapsed.TotalMilliseconds);
                    if (figures[i].AfterEach is { } after)
                    {
                        await after();
                    }

                    spent[i] += clock.Elapsed;
                }
            }
        }

        for (var i = 0; i < 2; i++)
        {
            if (figures[i].Finish is { } finish)
            {
                await finish(latencies[i].Count);
            }
        }

        return ((Median(latencies[0]), latencies[0].Count), (Median(latencies[1]), latencies[1].Count));
    }

    public static double Median(List<double> values)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
