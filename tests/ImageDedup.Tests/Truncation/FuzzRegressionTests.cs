using ImageDedup.Fuzz;

namespace ImageDedup.Tests.Truncation;

/// <summary>
/// Replays tests/fixtures/fuzz-regressions — every input fuzz/run.sh found that crashed, hung or
/// broke a bound, plus hand-made hostile inputs — through the fuzz target's own checks.
/// </summary>
public class FuzzRegressionTests
{
    private static readonly string Folder = Path.Combine(FixtureImages.Root, "..", "fuzz-regressions");

    public static TheoryData<string> Inputs => new(Directory.GetFiles(Folder).Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(Inputs))]
    public async Task A_found_input_walks_without_failing_the_same_in_any_chunks_within_the_allocation_bound(string input)
    {
        var bytes = await File.ReadAllBytesAsync(Path.Combine(Folder, input));
        await Task.Run(() => StructureTarget.Run(bytes)).WaitAsync(TimeSpan.FromSeconds(10)); // a hang fails with TimeoutException
    }
}
