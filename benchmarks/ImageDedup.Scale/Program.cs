using System.Globalization;
using ImageDedup.Scale;

// benchmarks/scale.sh drives this. Usage:
//   ImageDedup.Scale [--short] [--size N] [--small N] [--ops N] [--repetitions N] [--stores postgres,sqlite]
// PostgreSQL comes from IMAGEDEDUP_TEST_POSTGRES (an Npgsql connection string).
var settings = ScaleSettings.Parse(args);
var postgres = Environment.GetEnvironmentVariable("IMAGEDEDUP_TEST_POSTGRES");
var results = new List<(string Store, ScaleRun Small, ScaleRun Large)>();
foreach (var store in settings.Stores)
{
    Func<ScaleCatalogue> create = store switch
    {
        "postgres" when !string.IsNullOrEmpty(postgres) => () => new PostgresScaleCatalogue(postgres),
        "postgres" => throw new InvalidOperationException("IMAGEDEDUP_TEST_POSTGRES is not set (benchmarks/scale.sh starts a server)."),
        "sqlite" => () => new SqliteScaleCatalogue(),
        _ => throw new ArgumentException($"unknown store '{store}'"),
    };
    await using var small = await ScaleRun.PopulateAsync(create(), settings.Small);
    await using var large = await ScaleRun.PopulateAsync(create(), settings.Large);
    for (var rep = 0; rep < settings.Repetitions; rep++)
    {
        // Figure by figure, a few operations of each size in turns; which goes first alternates.
        var (first, second) = rep % 2 == 0 ? (small, large) : (large, small);
        using var firstFigures = first.TimedFigures(rep, settings).GetEnumerator();
        using var secondFigures = second.TimedFigures(rep, settings).GetEnumerator();
        while (firstFigures.MoveNext() && secondFigures.MoveNext())
        {
            var (a, b) = await TimedFigure.InTurnsAsync(settings, firstFigures.Current, secondFigures.Current);
            first.Record(firstFigures.Current.Name, a);
            second.Record(secondFigures.Current.Name, b);
        }
    }

    small.Summarise();
    large.Summarise();
    results.Add((store, small, large));
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"# p50 in ms (median of {settings.Repetitions} repetitions); ratios are {settings.Large:N0} ÷ {settings.Small:N0} originals"));
foreach (var (store, small, large) in results)
{
    foreach (var (name, smallFigure) in small.Figures)
    {
        var largeFigure = large.Figures[name];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"# {store}.{name}: {smallFigure.Value:0.000} → {largeFigure.Value:0.000} {smallFigure.Unit} ({smallFigure.Operations} / {largeFigure.Operations} ops a repetition)"));
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"# {store}: populated {small.Originals:N0} originals in {small.PopulateSeconds:0.0} s, {large.Originals:N0} in {large.PopulateSeconds:0.0} s; {large.References:N0} references"));
}

foreach (var (store, small, large) in results)
{
    foreach (var (name, smallFigure) in small.Figures)
    {
        var ratio = large.Figures[name].Value / Math.Max(smallFigure.Value, 1e-9);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{store}.{name} {ratio:0.00}"));
    }
}

return 0;
