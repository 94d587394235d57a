using ImageDedup;
using Microsoft.Extensions.DependencyInjection;

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: dotnet run -- <image file>");
    return 2;
}

var services = new ServiceCollection();
services.AddImageDedup(o => o.MaxImageBytes = 50 << 20)
        .UseSqlite("Data Source=dedup.db")
        .UseFileSystem(Path.GetFullPath("originals"));
await using var provider = services.BuildServiceProvider();
var images = provider.GetRequiredService<IImageDedup>().DefaultScope; // multi-tenant hosts: .Scope(tenantId)

await using (var upload = File.OpenRead(args[0]))
{
    var stored = await images.IngestAsync(upload, new IngestRequest { Holder = "projects/7/images/42" });
    Console.WriteLine($"{stored.Original.Digest} new bytes: {stored.StoredNewBytes}");
}

var release = await images.ReleaseAsync("projects/7/images/42"); // the last release deletes row and bytes
Console.WriteLine($"released; original deleted: {release.OriginalDeleted}");
return 0;
