using System.Globalization;
using Microsoft.Extensions.DependencyInjection;

namespace ImageDedup.ProcessHost;

/// <summary>
/// <c>maintain &lt;reconcile grace seconds&gt; &lt;orphan grace seconds&gt; [ingest write timeout seconds]</c>:
/// one app instance's clean-up on the pair named by the environment — garbage collection and
/// reconcile at the same time. Reconcile takes pending rows only once they are twice the ingest
/// write timeout old; a crash test that wants them gone passes a short one and waits it out. Prints one line per claim this process won (<c>claimed &lt;id&gt;</c>), then a summary line
/// <c>collected=N reconciled-pending=N reconciled-deletions=N incomplete-writes=N</c>. Only the regular
/// reconcile runs, never the audit: what a crash leaves must be found without listing the blob store.
/// </summary>
internal static class MaintainCommand
{
    public const string Name = "maintain";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length is not (2 or 3))
        {
            await Console.Error.WriteLineAsync($"usage: {Name} <reconcile grace seconds> <orphan grace seconds> [ingest write timeout seconds]");
            return 2;
        }

        var reconcileGrace = TimeSpan.FromSeconds(double.Parse(args[0], CultureInfo.InvariantCulture));
        var orphanGrace = TimeSpan.FromSeconds(double.Parse(args[1], CultureInfo.InvariantCulture));
        TimeSpan? writeTimeout = args.Length == 3 ? TimeSpan.FromSeconds(double.Parse(args[2], CultureInfo.InvariantCulture)) : null;
        var claims = new ClaimLog();
        await using var provider = ProviderPair.Build(
            ProviderPair.FromEnvironment(),
            o =>
            {
                o.OrphanGracePeriod = orphanGrace;
                o.GarbageCollectionBatchSize = 50;
                if (writeTimeout is { } timeout)
                {
                    o.IngestWriteTimeout = timeout;
                }

            },
            claims.Wrap);
        var engine = provider.GetRequiredService<IImageDedup>();

        var collect = engine.CollectGarbageAsync();
        var reconcile = engine.ReconcileAsync(new ReconcileOptions { GracePeriod = reconcileGrace, BatchSize = 100 });
        var collected = await collect;
        var reconciled = await reconcile;

        foreach (var id in claims.Claimed)
        {
            Console.WriteLine($"claimed {id}");
        }

        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"collected={collected.OriginalsDeleted} reconciled-pending={reconciled.PendingRemoved} reconciled-deletions={reconciled.DeletionsFinished} incomplete-writes={reconciled.IncompleteWritesDeleted}"));
        return 0;
    }
}
