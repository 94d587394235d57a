using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ImageDedup.Sqlite.Tests;

/// <summary>
/// The case of two catalogues sharing one root (table prefixes <c>a_</c> and <c>b_</c> in one
/// file): the second no longer deletes the first one's blobs, it does not start (issue 11 item 2).
/// </summary>
public sealed class StartupCheckTests : IDisposable
{
    private readonly SqliteTestDatabase _database = new();
    private readonly string _root = Path.Join(Path.GetTempPath(), "imagededup-sqlite-startup-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Two_table_prefixes_on_one_root_the_second_host_does_not_start()
    {
        using var first = Build("a_");
        await first.StartAsync();
        using var second = Build("b_");

        var error = await Assert.ThrowsAsync<BlobStoreOwnershipException>(() => second.StartAsync());

        Assert.Equal(await _database.CreateStore("a_").GetCatalogueIdAsync(), error.OwnerCatalogueId);
        Assert.Equal(await _database.CreateStore("b_").GetCatalogueIdAsync(), error.CatalogueId);
        Assert.Equal(Path.GetFullPath(_root), error.Location);
        await first.StopAsync();
    }

    [Fact]
    public async Task The_check_is_opt_in_and_registered_once()
    {
        var services = new ServiceCollection();
        services.AddImageDedup().UseSqlite(_database.ConnectionString).UseFileSystem(_root);
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(IHostedService));

        services.AddImageDedup().ValidateOnStart().ValidateOnStart();

        Assert.Single(services, d => d.ServiceType == typeof(IHostedService));
        await Task.CompletedTask;
    }

    public void Dispose()
    {
        _database.Dispose();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private IHost Build(string prefix)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddImageDedup()
            .UseSqlite(o =>
            {
                o.ConnectionString = _database.ConnectionString;
                o.TablePrefix = prefix;
            })
            .UseFileSystem(_root)
            .ValidateOnStart();
        return builder.Build();
    }
}
