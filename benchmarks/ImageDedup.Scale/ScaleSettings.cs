using System.Globalization;

namespace ImageDedup.Scale;

/// <summary>What to measure: the two catalogue sizes, how many operations, how often.</summary>
internal sealed record ScaleSettings(long Small, long Large, int Operations, int PrefixReleases, int Repetitions, TimeSpan Budget, IReadOnlyList<string> Stores)
{
    public static ScaleSettings Parse(string[] args)
    {
        var settings = new ScaleSettings(10_000, 1_000_000, 1000, 30, 3, TimeSpan.FromSeconds(15), ["postgres", "sqlite"]);
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            settings = args[i] switch
            {
                // Fewer of everything, so ./test.sh can run it; it asserts nothing about time.
                "--short" => settings with { Small = 1_000, Large = 10_000, Operations = 50, PrefixReleases = 2, Budget = TimeSpan.FromSeconds(0.5) },
                "--size" => settings with { Large = long.Parse(Next(), CultureInfo.InvariantCulture) },
                "--small" => settings with { Small = long.Parse(Next(), CultureInfo.InvariantCulture) },
                "--ops" => settings with { Operations = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--repetitions" => settings with { Repetitions = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--stores" => settings with { Stores = Next().Split(',') },
                _ => throw new ArgumentException($"unknown argument '{args[i]}'"),
            };
        }

        return settings;
    }
}
