using ImageDedup.Testing.Engine;
using System.Globalization;
using ImageDedup.ProcessHost;
using ImageDedup.Storage;
using ImageDedup.Testing.Content;
using ImageDedup.Testing.Servers;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ImageDedup.Invariants.Tests;

/// <summary>
/// Two app instances (two processes) share PostgreSQL and S3 and run garbage collection and
/// reconcile at the same time over thousands of orphans, plus the debris of crashed ingests.
/// Every orphan must be claimed exactly once in the database, no process may fail, and both
/// stores must end empty.
/// </summary>
public sealed class PostgresS3InstanceTests(PostgresDatabase database, ITestOutputHelper output) : IClassFixture<PostgresDatabase>
{
    private const int Orphans = 2_000;

    [Fact]
    public async Task Two_instances_collect_and_reconcile_every_orphan_exactly_once()
    {
        using var pair = await TestPair.PostgresS3Async(database);
        var orphanIds = new HashSet<Guid>();
        await using (var provider = ProviderPair.Build(pair.Settings, o => o.OrphanGracePeriod = TimeSpan.FromHours(1)))
        {
            var engine = provider.GetRequiredService<IImageDedup>();
            var created = await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
            {
                var ids = new List<Guid>();
                for (var i = worker; i < Orphans; i += 8)
                {
                    ids.Add((await engine.DefaultScope.IngestAsync(new MemoryStream(TestImages.Png(seed: 50_000 + i, length: 600)))).Original.Id);
                }

                return ids;
            })));
            orphanIds.UnionWith(created.SelectMany(ids => ids));
            await LeaveCrashDebrisAsync(provider.GetRequiredService<IReferenceStore>(), provider.GetRequiredService<IBlobStore>());
        }

        Assert.Equal(Orphans, orphanIds.Count);

        // Pending debris is reconciled only once twice the ingest write timeout old: a short one, waited out.
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        var runs = await Task.WhenAll(
            ChildProcess.RunAsync(pair, "maintain", "0", "0", "0.1"),
            ChildProcess.RunAsync(pair, "maintain", "0", "0", "0.1"));

        foreach (var run in runs)
        {
            Assert.True(run.ExitCode == 0, $"an instance failed: {run.Output}{run.Error}");
            Assert.True(string.IsNullOrWhiteSpace(run.Error), $"an instance reported errors: {run.Error}");
        }

        var claims = runs.Select(r => r.Output.Split('\n')
            .Where(line => line.StartsWith("claimed ", StringComparison.Ordinal))
            .Select(line => Guid.Parse(line["claimed ".Length..].Trim()))
            .ToList()).ToArray();
        var all = claims.SelectMany(c => c).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.Equal(orphanIds.Order(), all.Order());
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Orphans} orphans: instance A claimed {claims[0].Count}, instance B claimed {claims[1].Count}, no claim twice. A: {runs[0].Output.Split('\n').Last(l => l.Length > 0)}; B: {runs[1].Output.Split('\n').Last(l => l.Length > 0)}"));

        await using var check = ProviderPair.Build(pair.Settings);
        await StoreInvariants.AssertEmptyAsync(check.GetRequiredService<IReferenceStore>(), check.GetRequiredService<IBlobStore>());
    }

    /// <summary>
    /// Pending rows with their blobs, and pending rows whose blob was never written: what crashed
    /// ingests leave. No crash leaves a blob without a row (the row is inserted first and deleted
    /// last), so the regular reconcile must clear all of it without listing the blob store.
    /// </summary>
    private static async Task LeaveCrashDebrisAsync(IReferenceStore references, IBlobStore blobs)
    {
        for (var i = 0; i < 20; i++)
        {
            var bytes = TestImages.UniquePng(700);
            var digest = TestImages.DigestOf(bytes);
            var id = Guid.CreateVersion7();
            var key = $"sha256/{digest.Hex[..2]}/{digest.Hex[2..4]}/{digest.Hex}.{id:N}";
            await references.InsertPendingAsync(new NewOriginal(id, string.Empty, digest, bytes.Length, "image/png", key));
            if (i % 2 == 0)
            {
                await blobs.WriteAsync(key, new MemoryStream(bytes), new BlobMetadata(digest, bytes.Length, "image/png"));
            }
        }
    }
}
