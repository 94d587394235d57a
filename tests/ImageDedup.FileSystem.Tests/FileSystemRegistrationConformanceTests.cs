using ImageDedup.Storage;
using ImageDedup.Testing.Registration;
using Microsoft.Extensions.DependencyInjection;

namespace ImageDedup.FileSystem.Tests;

/// <summary>UseFileSystem held to the shared registration rules.</summary>
public sealed class FileSystemRegistrationConformanceTests : RegistrationConformanceTests, IDisposable
{
    private readonly TempRoot _temp = new();

    protected override Type StoreContract => typeof(IBlobStore);

    protected override string InvalidOptionName => "RootPath";

    protected override void Use(IImageDedupBuilder builder) => builder.UseFileSystem(_temp.Combine("blobs"));

    protected override void UseInvalid(IImageDedupBuilder builder) => builder.UseFileSystem("bad\0root");

    protected override void CompleteWithOtherStore(IImageDedupBuilder builder) => builder.UseSqlite($"Data Source={_temp.Combine("catalogue.db")}");

    public void Dispose() => _temp.Dispose();
}
