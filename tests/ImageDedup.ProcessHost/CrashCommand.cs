using ImageDedup.Engine;
using Microsoft.Extensions.DependencyInjection;

namespace ImageDedup.ProcessHost;

/// <summary>
/// <c>crash &lt;fault point&gt; &lt;ingest|release|purge|batch&gt; &lt;content file or folder&gt; &lt;holder&gt;</c>: runs one
/// operation on the pair named by the environment with the fault point armed, so the process
/// SIGKILLs itself there. <c>release</c> first ingests the content for the holder (unarmed), then
/// arms the point and releases it, driving the deletion protocol. <c>purge</c> first ingests the
/// content for the holder and five more (<c>holder/1</c> … <c>holder/5</c>), then arms the point and
/// purges the original with block, two holders a batch. <c>batch</c> ingests every file of
/// the folder as one batch, each under the holder plus its file name, and one more item whose
/// bytes change before its blob write (holder plus <c>changing</c>), so a group also undoes an item.
/// Prints "survived" if the point was never reached.
/// </summary>
internal static class CrashCommand
{
    public const string Name = "crash";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length != 4)
        {
            await Console.Error.WriteLineAsync($"usage: {Name} <fault point> <ingest|release|purge|batch> <content file or folder> <holder>");
            return 2;
        }

        var (point, scenario, contentFile, holder) = (args[0], args[1], args[2], args[3]);
        if (!FaultPoints.All.Contains(point))
        {
            await Console.Error.WriteLineAsync($"unknown fault point '{point}'; known: {string.Join(", ", FaultPoints.All)}");
            return 2;
        }

        await using var provider = ProviderPair.Build(ProviderPair.FromEnvironment(), o => o.PurgeBatchSize = 2);
        var engine = provider.GetRequiredService<IImageDedup>();
        if (scenario == "batch")
        {
            FaultPoints.Armed = point;
            await foreach (var result in engine.DefaultScope.IngestManyAsync(BatchScenario.Items(contentFile, holder).ToAsyncEnumerable()))
            {
                Console.WriteLine($"{result.Item.Request?.Holder}: {(result.Succeeded ? "ok" : result.Error.GetType().Name)}");
            }

            Console.WriteLine("survived");
            return 0;
        }

        var content = await File.ReadAllBytesAsync(contentFile);
        switch (scenario)
        {
            case "ingest":
                FaultPoints.Armed = point;
                await engine.DefaultScope.IngestAsync(new MemoryStream(content), new IngestRequest { Holder = holder });
                break;
            case "release":
                await engine.DefaultScope.IngestAsync(new MemoryStream(content), new IngestRequest { Holder = holder });
                FaultPoints.Armed = point;
                await engine.DefaultScope.ReleaseAsync(holder);
                break;
            case "purge":
                var stored = await engine.DefaultScope.IngestAsync(new MemoryStream(content), new IngestRequest { Holder = holder });
                for (var i = 1; i <= 5; i++)
                {
                    await engine.DefaultScope.AddReferenceAsync(stored.Original.Id, $"{holder}/{i}");
                }

                FaultPoints.Armed = point;
                await engine.DefaultScope.PurgeAsync(stored.Original.Id, new PurgeRequest { RequestedBy = "crash test", Reason = "takedown", Block = true });
                break;
            default:
                await Console.Error.WriteLineAsync($"unknown scenario '{scenario}'");
                return 2;
        }

        Console.WriteLine("survived");
        return 0;
    }
}
