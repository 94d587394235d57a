using ImageDedup.Storage;
using ImageDedup.Testing.Registration;
using Microsoft.Extensions.DependencyInjection;

namespace ImageDedup.Sqlite.Tests;

/// <summary>UseSqlite held to the shared registration rules.</summary>
public sealed class SqliteRegistrationConformanceTests : RegistrationConformanceTests, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("imagededup-sqlite-registration-").FullName;

    protected override Type StoreContract => typeof(IReferenceStore);

    protected override string InvalidOptionName => "TablePrefix";

    protected override void Use(IImageDedupBuilder builder) => builder.UseSqlite($"Data Source={Path.Combine(_directory, "catalogue.db")}");

    protected override void UseInvalid(IImageDedupBuilder builder) => builder.UseSqlite(o =>
    {
        o.ConnectionString = $"Data Source={Path.Combine(_directory, "catalogue.db")}";
        o.TablePrefix = "bad-prefix";
    });

    protected override void CompleteWithOtherStore(IImageDedupBuilder builder) => builder.UseFileSystem(Path.Combine(_directory, "blobs"));

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
