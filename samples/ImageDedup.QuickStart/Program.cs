using ImageDedup;
using Microsoft.Extensions.DependencyInjection;

var services = new ServiceCollection();
services.AddImageDedup(o => o.MaxImageBytes = 50 << 20)
        .UseSqlite("Data Source=dedup.db")
        .UseFileSystem(Path.GetFullPath("originals"));
await using var provider = services.BuildServiceProvider();
var dedup = provider.GetRequiredService<IImageDedup>();

await using var upload = File.OpenRead(args.Length > 0 ? args[0] : "samples/images/gallery/sunset.png");
var stored = await dedup.IngestAsync(upload, new IngestRequest { Holder = "projects/7/images/42" });
Console.WriteLine($"{stored.Original.Digest} new bytes: {stored.StoredNewBytes}");
await dedup.ReleaseAsync("projects/7/images/42"); // the last release deletes row and bytes
