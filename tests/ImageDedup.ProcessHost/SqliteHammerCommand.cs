using System.Globalization;
using ImageDedup.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace ImageDedup.ProcessHost;

/// <summary>
/// <c>sqlite-hammer &lt;connection string&gt; &lt;scope&gt; &lt;original id&gt; &lt;worker&gt; &lt;iterations&gt;</c>:
/// adds and releases references to one original as fast as possible, through the public
/// registration, so that several processes contend for one SQLite file.
/// </summary>
/// <remarks>
/// Per iteration <c>i</c>: holder <c>&lt;worker&gt;/i</c> is added twice; when <c>i % 3 != 0</c> it is
/// released twice; holder <c>shared/(i % 5)</c> is added (all workers share those, never released).
/// So each worker leaves <c>ceil(iterations / 3)</c> own references plus up to five shared ones.
/// </remarks>
internal static class SqliteHammerCommand
{
    public const string Name = "sqlite-hammer";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length != 5)
        {
            await Console.Error.WriteLineAsync($"usage: {Name} <connection string> <scope> <original id> <worker> <iterations>");
            return 2;
        }

        var (connectionString, scope, originalId, worker) = (args[0], args[1], Guid.Parse(args[2]), args[3]);
        var iterations = int.Parse(args[4], CultureInfo.InvariantCulture);

        var services = new ServiceCollection();
        new Builder(services).UseSqlite(connectionString);
        await using var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<IReferenceStore>();

        for (var i = 0; i < iterations; i++)
        {
            var holder = string.Create(CultureInfo.InvariantCulture, $"{worker}/{i}");
            await store.AddReferenceAsync(scope, holder, originalId, claimIfOrphaned: false);
            await store.AddReferenceAsync(scope, holder, originalId, claimIfOrphaned: false);
            if (i % 3 != 0)
            {
                await store.ReleaseAsync(scope, holder, claimIfOrphaned: false);
                await store.ReleaseAsync(scope, holder, claimIfOrphaned: false);
            }

            await store.AddReferenceAsync(scope, string.Create(CultureInfo.InvariantCulture, $"shared/{i % 5}"), originalId, claimIfOrphaned: false);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Name} {worker}: {iterations} iterations done"));
        return 0;
    }

    private sealed class Builder(IServiceCollection services) : IImageDedupBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
