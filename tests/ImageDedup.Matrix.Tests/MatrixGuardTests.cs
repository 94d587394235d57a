using System.Reflection;
using ImageDedup.Storage;
using ImageDedup.Testing;
using ImageDedup.Testing.Engine;

namespace ImageDedup.Matrix.Tests;

/// <summary>
/// Fails when a pair of reference-store and blob-store providers has no concrete engine suite, so
/// the production pair (or the next provider's) cannot go untested while each provider passes
/// its own suites. ConformanceGuardTests (ImageDedup.Tests) holds every provider to having a store
/// factory here, so none is missing from this assembly's folder.
/// </summary>
public sealed class MatrixGuardTests
{
    private const string Sqlite = "ImageDedup.Sqlite";
    private const string Postgres = "ImageDedup.Postgres";
    private const string FileSystem = "ImageDedup.FileSystem";
    private const string S3 = "ImageDedup.S3";

    [Fact]
    public void Every_reference_store_runs_the_engine_suite_with_every_blob_store()
    {
        var gaps = ConformanceMatrix.Gaps(Providers<IReferenceStore>(), Providers<IBlobStore>(), CoveredPairs());

        Assert.True(gaps is null, gaps);
    }

    [Fact]
    public void The_known_providers_and_pairs_are_found()
    {
        Assert.Equal([Postgres, Sqlite], Providers<IReferenceStore>().Order(StringComparer.Ordinal));
        Assert.Equal([FileSystem, S3], Providers<IBlobStore>().Order(StringComparer.Ordinal));
        Assert.Contains((Postgres, S3), CoveredPairs());
    }

    [Fact]
    public void Every_concrete_engine_suite_names_its_pair()
    {
        var unnamed = Suites().Where(suite => PairOf(suite) is null).Select(suite => suite.Name).ToList();

        Assert.True(unnamed.Count == 0, $"{string.Join(", ", unnamed)} derive from EngineConformanceTests but not from EnginePair<,>, so the guard cannot tell which providers they run on");
    }

    [Fact]
    public void A_provider_list_with_a_pair_missing_fails_and_names_the_pair()
    {
        var gaps = ConformanceMatrix.Gaps(
            [Sqlite, Postgres],
            [FileSystem, S3],
            [(Sqlite, FileSystem), (Sqlite, S3), (Postgres, FileSystem)]);

        Assert.NotNull(gaps);
        Assert.Contains("ImageDedup.Postgres + ImageDedup.S3", gaps, StringComparison.Ordinal);
        Assert.DoesNotContain("ImageDedup.Sqlite +", gaps, StringComparison.Ordinal);
        Assert.DoesNotContain("ImageDedup.Postgres + ImageDedup.FileSystem", gaps, StringComparison.Ordinal);
    }

    [Fact]
    public void A_new_provider_needs_a_pair_with_each_provider_of_the_other_kind()
    {
        var gaps = ConformanceMatrix.Gaps(
            [Sqlite],
            [FileSystem, "ImageDedup.Azure"],
            [(Sqlite, FileSystem)]);

        Assert.Equal(
            "The engine suite does not run on ImageDedup.Sqlite + ImageDedup.Azure: add a class deriving from EnginePair<,> with those providers' store factories to tests/ImageDedup.Matrix.Tests/Pairs.cs.",
            gaps);
        Assert.Null(ConformanceMatrix.Gaps([Sqlite], [FileSystem], [(Sqlite, FileSystem)]));
    }

    /// <summary>
    /// The providers (shipped assemblies, by their src/ project names) declaring a class that
    /// implements <typeparamref name="TStore"/>.
    /// </summary>
    private static List<string> Providers<TStore>()
    {
        var shipped = Directory.GetFiles(Path.Combine(RepositoryRoot.Find(), "src"), "*.csproj", SearchOption.AllDirectories)
            .Select(Path.GetFileNameWithoutExtension)
            .Where(name => File.Exists(Path.Combine(AppContext.BaseDirectory, name + ".dll")));
        return shipped
            .Select(name => Assembly.Load(name!))
            .Where(assembly => assembly.GetTypes().Any(t => t is { IsClass: true, IsAbstract: false } && typeof(TStore).IsAssignableFrom(t)))
            .Select(assembly => assembly.GetName().Name!)
            .ToList();
    }

    private static List<(string References, string Blobs)> CoveredPairs()
        => Suites().Select(PairOf).OfType<(string, string)>().ToList();

    private static IEnumerable<Type> Suites()
        => typeof(MatrixGuardTests).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(EngineConformanceTests).IsAssignableFrom(t));

    /// <summary>The providers an <see cref="EnginePair{TReferences, TBlobs}"/> suite's factories name, or null for any other suite.</summary>
    private static (string References, string Blobs)? PairOf(Type suite)
    {
        for (var type = suite.BaseType; type is not null; type = type.BaseType)
        {
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(EnginePair<,>))
            {
                var factories = type.GetGenericArguments();
                return (ProviderOf(factories[0]), ProviderOf(factories[1]));
            }
        }

        return null;
    }

    private static string ProviderOf(Type factory)
        => ((Assembly)factory.GetProperty("Provider", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!).GetName().Name!;
}
