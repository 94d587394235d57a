using ImageDedup.Testing;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace ImageDedup.Tests;

/// <summary>
/// Fails when a provider package has no concrete conformance suite, so a new provider cannot
/// ship having skipped the behaviour every other provider is held to.
/// </summary>
public partial class ConformanceGuardTests
{
    public static TheoryData<string> Providers()
    {
        var data = new TheoryData<string>();
        foreach (var project in Directory.GetFiles(Path.Combine(RepositoryRoot.Find(), "src"), "*.csproj", SearchOption.AllDirectories))
        {
            var name = Path.GetFileNameWithoutExtension(project);
            // A provider is whatever implements a store, whatever it references (LayeringTests
            // holds it to the contracts), so a provider that wrongly references the engine is
            // still held to its suites rather than silently skipped.
            var source = ReadSources(Path.GetDirectoryName(project)!);
            if (Implements(source, "IReferenceStore") || Implements(source, "ITakedownStore") || Implements(source, "IBlobStore"))
            {
                data.Add(name);
            }
        }

        return data;
    }

    [Fact]
    public void The_known_providers_are_found()
    {
        var found = Providers().Cast<object[]>().Select(row => (string)row[0]).ToList();
        Assert.Contains("ImageDedup.Sqlite", found);
        Assert.Contains("ImageDedup.FileSystem", found);
        Assert.Contains("ImageDedup.Postgres", found);
        Assert.Contains("ImageDedup.S3", found);
        Assert.DoesNotContain("ImageDedup.Abstractions", found);
        Assert.DoesNotContain("ImageDedup", found);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Every_provider_inherits_the_conformance_suites_for_what_it_implements(string provider)
    {
        var source = ReadSources(Path.Combine(RepositoryRoot.Find(), "src", provider));
        var testDirectory = Path.Combine(RepositoryRoot.Find(), "tests", provider + ".Tests");
        Assert.True(Directory.Exists(testDirectory), $"{provider} has no test project at tests/{provider}.Tests");
        var tests = ReadSources(testDirectory);

        // The engine suite runs per pair of providers, in tests/ImageDedup.Matrix.Tests (whose own
        // guard keeps that matrix whole); here only the suites of one store and its registration.
        var required = new List<string> { "RegistrationConformanceTests" };
        if (Implements(source, "IReferenceStore") || Implements(source, "ITakedownStore"))
        {
            required.Add("ReferenceStoreConformanceTests");
        }

        if (Implements(source, "IBlobStore"))
        {
            required.Add("BlobStoreConformanceTests");
        }

        // Capabilities: a store that offers one is held to that capability's own suite.
        if (Implements(source, "IBlobUrlSigner"))
        {
            required.Add("ReadUrlConformanceTests");
        }

        if (Implements(source, "IHostTransactionParticipant"))
        {
            required.Add("HostTransactionConformanceTests");
        }

        if (Implements(source, "ITakedownStore"))
        {
            required.Add("TakedownConformanceTests");
        }

        if (Regex.IsMatch(source, @"public static IImageDedupBuilder Add\w+HealthCheck\("))
        {
            required.Add("HealthCheckConformanceTests");
        }

        Assert.True(required.Count > 1, $"{provider} implements neither IReferenceStore nor IBlobStore");
        foreach (var suite in required)
        {
            Assert.True(
                Regex.IsMatch(tests, @"class\s+\w+\s*(\([^)]*\))?\s*:\s*" + suite + @"\b"),
                $"{provider} implements a store but tests/{provider}.Tests has no concrete class deriving from {suite}");
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Every_provider_is_seen_by_the_matrix(string provider)
    {
        // The matrix guard (tests/ImageDedup.Matrix.Tests) finds providers among the assemblies beside
        // it, which come through the factories' project: a provider that project does not reference
        // would silently drop out of the matrix instead of failing it for want of its pairs.
        var factories = Path.Combine(RepositoryRoot.Find(), "tests", "ImageDedup.Testing.Stores");
        var references = XDocument.Load(Path.Combine(factories, "ImageDedup.Testing.Stores.csproj")).Descendants("ProjectReference")
            .Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/')));

        Assert.True(references.Contains(provider), $"tests/ImageDedup.Testing.Stores does not reference {provider}, so the matrix guard cannot see it");
    }

    private static bool Implements(string source, string contract)
        => Regex.IsMatch(source, @"class\s+\w+[^{]*:\s*[^{]*\b" + contract + @"\b");

    private static string ReadSources(string directory)
        => string.Join('\n', Directory.GetFiles(directory, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal))
            .Select(File.ReadAllText));
}
