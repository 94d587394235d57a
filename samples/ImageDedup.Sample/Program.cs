// A host app shaped like the seed's: projects own images, each image row points at a shared
// original, deleting an image releases it and deleting a project releases a whole prefix.
// The app's own `images` rows and their references commit in one transaction.
using ImageDedup;
using ImageDedup.Sample;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var data = Path.Combine(Path.GetTempPath(), "imagededup-sample-" + Guid.NewGuid().ToString("N")[..8]);
Directory.CreateDirectory(data);
var database = $"Data Source={Path.Combine(data, "app.db")}";

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddImageDedup(o => o.MaxImageBytes = 10 << 20)
    .UseSqlite(database)
    .UseFileSystem(Path.Combine(data, "originals"));
builder.Services.AddSingleton(new ImageCatalog(database));
using var host = builder.Build();
await host.StartAsync();

// A single-tenant app: every call goes to the default scope.
var catalogue = host.Services.GetRequiredService<IImageDedup>();
var dedup = catalogue.DefaultScope;
var images = host.Services.GetRequiredService<ImageCatalog>();
await images.CreateSchemaAsync();

var photo = await File.ReadAllBytesAsync(args.FirstOrDefault() ?? Path.Combine(AppContext.BaseDirectory, "sunset.png"));

// Upload the same photo into two projects, and make three styles of it in project 7.
var original = await images.UploadAsync(dedup, projectId: 7, imageId: 1, photo, style: "original");
await images.UploadAsync(dedup, projectId: 7, imageId: 2, photo, style: "thumbnail");
await images.UploadAsync(dedup, projectId: 7, imageId: 3, photo, style: "web");
await images.UploadAsync(dedup, projectId: 70, imageId: 4, photo, style: "original");
Console.WriteLine($"4 image rows share original {original.Id}: {(await dedup.GetAsync(original.Id))!.ReferenceCount} references");

await images.DeleteAsync(dedup, projectId: 7, imageId: 2);
Console.WriteLine($"deleted image 2: {(await dedup.GetAsync(original.Id))!.ReferenceCount} references left");

var project = await images.DeleteProjectAsync(dedup, projectId: 7);
Console.WriteLine($"deleted project 7: released {project.ReferencesReleased}; project 70 still holds it: {(await dedup.GetAsync(original.Id))!.ReferenceCount} reference");

await images.DeleteAsync(dedup, projectId: 70, imageId: 4);
Console.WriteLine($"deleted the last image: original exists = {await dedup.GetAsync(original.Id) is not null}");

var stats = await catalogue.GetStatisticsAsync();
Console.WriteLine($"originals: {stats.UniqueOriginals}, orphans: {stats.OrphanCount}");
await host.StopAsync();
Directory.Delete(data, recursive: true);
