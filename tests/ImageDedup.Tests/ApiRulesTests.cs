using ImageDedup.Testing;
using System.Reflection;
using ImageDedup.Storage;

namespace ImageDedup.Tests;

/// <summary>The public-API rules (docs/architecture.md, the facade), checked on every shipped assembly rather than by review.</summary>
public class ApiRulesTests
{
    public static TheoryData<string> ShippedAssemblies => new()
    {
        typeof(IImageDedup).Assembly.GetName().Name!,
        typeof(ImageDedupOptions).Assembly.GetName().Name!,
        "ImageDedup.Sqlite",
        "ImageDedup.FileSystem",
        "ImageDedup.Postgres",
        "ImageDedup.S3",
        "ImageDedup.AspNetCore",
    };

    [Theory]
    [MemberData(nameof(ShippedAssemblies))]
    public void Public_classes_are_sealed_static_or_abstract(string assembly)
    {
        var open = Load(assembly).GetExportedTypes()
            .Where(t => t.IsClass && !t.IsSealed && !t.IsAbstract)
            .Select(t => t.FullName)
            .ToList();

        Assert.Empty(open);
    }

    [Theory]
    [MemberData(nameof(ShippedAssemblies))]
    public void Public_async_methods_take_a_cancellation_token_last(string assembly)
    {
        var offenders = Load(assembly).GetExportedTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => typeof(Task).IsAssignableFrom(m.ReturnType) || m.ReturnType.Name.StartsWith("ValueTask", StringComparison.Ordinal)
                        || m.ReturnType.Name.StartsWith("IAsyncEnumerable", StringComparison.Ordinal))
            .Where(m => m.GetParameters() is var p && (p.Length == 0 || p[^1].ParameterType != typeof(CancellationToken)))
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}")
            .ToList();

        Assert.Empty(offenders);
    }

    [Theory]
    [MemberData(nameof(ShippedAssemblies))]
    public void Providers_and_the_engine_expose_no_store_implementation(string assembly)
    {
        var stores = Load(assembly).GetExportedTypes()
            .Where(t => !t.IsInterface && (typeof(IReferenceStore).IsAssignableFrom(t) || typeof(IBlobStore).IsAssignableFrom(t) || typeof(IImageDedup).IsAssignableFrom(t)))
            .Select(t => t.FullName)
            .ToList();

        Assert.Empty(stores);
    }

    [Theory]
    [MemberData(nameof(ShippedAssemblies))]
    public void No_public_method_takes_an_optional_or_nullable_scope(string assembly)
    {
        // A forgotten trailing argument must never mean "the default tenant" or "every tenant":
        // hosts bind a scope once (IImageDedup.Scope) and every call on the view is confined to it.
        var offenders = Load(assembly).GetExportedTypes()
            .Where(t => !t.Namespace!.StartsWith("ImageDedup.Storage", StringComparison.Ordinal))
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .SelectMany(m => m.GetParameters().Select(p => (Method: m, Parameter: p)))
            .Where(x => x.Parameter.Name!.Contains("scope", StringComparison.OrdinalIgnoreCase)
                        && x.Parameter.ParameterType == typeof(string)
                        && (x.Parameter.HasDefaultValue || new NullabilityInfoContext().Create(x.Parameter).ReadState == NullabilityState.Nullable))
            .Select(x => $"{x.Method.DeclaringType!.Name}.{x.Method.Name}({x.Parameter.Name})")
            .ToList();

        Assert.Empty(offenders);
    }

    [Fact]
    public void Library_exceptions_are_sealed_and_share_one_base()
    {
        var exceptions = typeof(IImageDedup).Assembly.GetExportedTypes().Where(t => typeof(Exception).IsAssignableFrom(t)).ToList();

        Assert.Contains(typeof(ImageDedupException), exceptions);
        Assert.All(exceptions.Where(t => t != typeof(ImageDedupException)), t =>
        {
            Assert.True(t.IsSealed, $"{t.Name} should be sealed");
            Assert.True(typeof(ImageDedupException).IsAssignableFrom(t), $"{t.Name} should derive from ImageDedupException");
        });
    }

    [Fact]
    public void Every_package_has_a_readme()
    {
        var root = RepositoryRoot.Find();
        var missing = Directory.GetFiles(Path.Combine(root, "src"), "*.csproj", SearchOption.AllDirectories)
            .Select(Path.GetDirectoryName)
            .Where(dir => !File.Exists(Path.Combine(dir!, "README.md")))
            .ToList();

        Assert.Empty(missing);
    }

    [Fact]
    public void Every_packed_test_library_carries_its_readme()
    {
        var packed = Directory.GetFiles(Path.Combine(RepositoryRoot.Find(), "tests"), "*.csproj", SearchOption.AllDirectories)
            .Where(project => File.ReadAllText(project).Contains("<IsPackable>true</IsPackable>", StringComparison.Ordinal))
            .ToList();

        Assert.Equal(["ImageDedup.Testing.Servers.csproj", "ImageDedup.Testing.csproj"], packed.Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.All(packed, project =>
        {
            Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(project)!, "README.md")), $"{project} has no README.md");
            Assert.Contains("<PackageReadmeFile>README.md</PackageReadmeFile>", File.ReadAllText(project), StringComparison.Ordinal);
        });
    }

    [Fact]
    public void The_conformance_suites_pull_in_no_server_client()
    {
        var suites = File.ReadAllText(Path.Combine(RepositoryRoot.Find(), "tests", "ImageDedup.Testing", "ImageDedup.Testing.csproj"));

        Assert.DoesNotContain("Npgsql", suites, StringComparison.Ordinal);
        Assert.DoesNotContain("Testcontainers", suites, StringComparison.Ordinal);
        Assert.DoesNotContain("Testing.Servers", suites, StringComparison.Ordinal);
    }

    private static Assembly Load(string name) => Assembly.Load(name);
}
