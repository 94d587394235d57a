using System.Globalization;

namespace ImageDedup.SampleApi.Backfill;

/// <summary>
/// <c>backfill [--batch-size N] [--max-rows-per-second R]</c>: runs <see cref="LegacyBackfill"/>
/// to its end, printing a progress line per batch and a summary. Exit code 0 when it finished, 1
/// when a server failed it (run it again: it resumes), 2 for bad arguments.
/// </summary>
internal static class BackfillCommand
{
    public const string Name = "backfill";

    public static async Task<int> RunAsync(IServiceProvider services, IReadOnlyList<string> arguments, TextWriter output, CancellationToken cancellationToken)
    {
        if (Parse(arguments) is not { } settings)
        {
            await output.WriteLineAsync("usage: backfill [--batch-size 1..1000] [--max-rows-per-second R]");
            return 2;
        }

        await using var scope = services.CreateAsyncScope();
        var backfill = scope.ServiceProvider.GetRequiredService<LegacyBackfill>();
        var total = await backfill.CountAsync(cancellationToken);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"backfill: {total} rows to move or finish"));
        try
        {
            var report = await backfill.RunAsync(settings, progress => output.WriteLine("backfill: " + progress.Describe(total)), cancellationToken);
            await output.WriteLineAsync("backfill: " + report.Summary());
            return 0;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await output.WriteLineAsync($"backfill: stopped, run it again to resume: {ex.GetBaseException().Message}");
            return 1;
        }
    }

    private static BackfillSettings? Parse(IReadOnlyList<string> arguments)
    {
        var batchSize = 50;
        double? rate = null;
        for (var i = 0; i < arguments.Count; i += 2)
        {
            var value = i + 1 < arguments.Count ? arguments[i + 1] : null;
            switch (arguments[i])
            {
                case "--batch-size" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var size) && size is >= 1 and <= 1000:
                    batchSize = size;
                    break;
                case "--max-rows-per-second" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var perSecond) && perSecond > 0:
                    rate = perSecond;
                    break;
                default:
                    return null;
            }
        }

        return new BackfillSettings(batchSize, rate);
    }
}
