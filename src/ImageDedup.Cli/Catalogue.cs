using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace ImageDedup.Cli;

/// <summary>
/// The engine on a store directory (<c>catalogue.db</c>, SQLite, beside <c>blobs/</c>) within one
/// scope. Every call the tool makes into the library goes through here, so a change of the
/// library's shape is a change of this file.
/// </summary>
internal sealed class Catalogue : IAsyncDisposable
{
    private const string DatabaseFile = "catalogue.db";
    private const int PageSize = 500;
    private readonly ServiceProvider _services;
    private readonly IImageDedup _engine;
    private readonly IImageDedupScope _scope;

    private Catalogue(ServiceProvider services, string directory, string scope)
    {
        _services = services;
        _engine = services.GetRequiredService<IImageDedup>();
        Directory = directory;
        _scope = _engine.Scope(scope);
    }

    /// <summary>The store's absolute directory.</summary>
    public string Directory { get; }

    /// <summary>
    /// Opens the store in <paramref name="directory"/>. Only <paramref name="create"/> makes a new
    /// one; every other command refuses a directory that holds no store rather than leave an empty
    /// one behind.
    /// </summary>
    /// <exception cref="CliException">No store there, or the path is not a directory.</exception>
    public static Catalogue Open(string directory, string scope, bool verbose, bool create, TimeSpan? orphanGracePeriod = null)
    {
        var root = Path.GetFullPath(directory);
        if (File.Exists(root))
        {
            throw new CliException(ExitCodes.StoreUnusable, "store-unusable", $"The store path {root} is a file, not a directory.");
        }

        if (!create && !File.Exists(Path.Combine(root, DatabaseFile)))
        {
            throw new CliException(ExitCodes.NotFound, "store-not-found", $"No store at {root} (ingest creates one; --store DIR chooses another).");
        }

        System.IO.Directory.CreateDirectory(root);
        var services = new ServiceCollection();
        services.AddLogging(logging =>
        {
            logging.AddConsole(o =>
                {
                    o.LogToStandardErrorThreshold = LogLevel.Trace; // stdout is for results (one JSON document with --json)
                    o.FormatterName = verbose ? ConsoleFormatterNames.Simple : EngineLogFormatter.FormatterName;
                })
                .AddConsoleFormatter<EngineLogFormatter, ConsoleFormatterOptions>()
                .SetMinimumLevel(verbose ? LogLevel.Debug : LogLevel.Warning);
            logging.Services.Configure<SimpleConsoleFormatterOptions>(o => o.SingleLine = true);
        });
        services.AddImageDedup(o =>
            {
                if (orphanGracePeriod is { } grace)
                {
                    o.OrphanGracePeriod = grace;
                }
            })
            .UseSqlite($"Data Source={Path.Combine(root, DatabaseFile)}")
            .UseFileSystem(Path.Combine(root, "blobs"));
        return new Catalogue(services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true }), root, scope);
    }

    /// <summary>A batch ingest: results in input order, each durable once yielded.</summary>
    public IAsyncEnumerable<IngestItemResult> IngestManyAsync(IEnumerable<IngestItem> items, int parallelism, CancellationToken cancellationToken)
        => _scope.IngestManyAsync(items.ToAsyncEnumerable(), new IngestManyOptions { MaxDegreeOfParallelism = parallelism }, cancellationToken);

    public Task<Original?> FindByHolderAsync(string holder, CancellationToken cancellationToken)
        => _scope.FindByHolderAsync(holder, cancellationToken);

    public Task<Original?> GetAsync(Guid originalId, CancellationToken cancellationToken)
        => _scope.GetAsync(originalId, cancellationToken);

    public Task<Stream> OpenVerifiedReadAsync(Guid originalId, CancellationToken cancellationToken)
        => _scope.OpenReadAsync(originalId, new ReadOptions { Verify = true }, cancellationToken);

    public Task<ReleaseResult> ReleaseAsync(string holder, CancellationToken cancellationToken)
        => _scope.ReleaseAsync(holder, cancellationToken);

    public Task<PrefixReleaseResult> ReleasePrefixAsync(string prefix, CancellationToken cancellationToken)
        => _scope.ReleasePrefixAsync(prefix, cancellationToken);

    /// <summary>Figures for the scope, or for every scope.</summary>
    public Task<OriginalStatistics> StatisticsAsync(bool allScopes, CancellationToken cancellationToken)
        => allScopes ? _engine.GetStatisticsAsync(cancellationToken) : _scope.GetStatisticsAsync(cancellationToken);

    public Task<GarbageCollectionResult> CollectGarbageAsync(CancellationToken cancellationToken)
        => _scope.CollectGarbageAsync(cancellationToken);

    /// <summary>Reconcile covers the whole store: crash leftovers belong to no scope.</summary>
    public Task<ReconcileResult> ReconcileAsync(bool dryRun, TimeSpan? gracePeriod, CancellationToken cancellationToken)
        => _engine.ReconcileAsync(new ReconcileOptions { DryRun = dryRun, GracePeriod = gracePeriod }, cancellationToken);

    /// <summary>The full audit, over the whole store like reconcile.</summary>
    public Task<AuditResult> AuditAsync(bool dryRun, TimeSpan? gracePeriod, string? cursor, double? requestsPerSecond, CancellationToken cancellationToken)
        => _engine.AuditAsync(new AuditOptions { DryRun = dryRun, GracePeriod = gracePeriod, Cursor = cursor, MaxRequestsPerSecond = requestsPerSecond }, cancellationToken);

    public Task<VerifyResult> VerifyAsync(CancellationToken cancellationToken)
        => _engine.VerifyAsync(new VerifyOptions { Scope = _scope.Name, Concurrency = Math.Max(2, Environment.ProcessorCount) }, cancellationToken);

    /// <summary>Purges one original of the scope, or its bytes in every scope.</summary>
    public Task<PurgeResult> PurgeAsync(Guid originalId, PurgeRequest request, bool everywhere, CancellationToken cancellationToken)
        => everywhere ? _engine.PurgeEverywhereAsync(originalId, request, cancellationToken) : _scope.PurgeAsync(originalId, request, cancellationToken);

    /// <summary>Purges the originals of a digest in the scope, or in every scope.</summary>
    public Task<PurgeResult> PurgeAsync(ContentDigest digest, PurgeRequest request, bool everywhere, CancellationToken cancellationToken)
        => everywhere ? _engine.PurgeEverywhereAsync(digest, request, cancellationToken) : _scope.PurgeAsync(digest, request, cancellationToken);

    /// <summary>Blocks a digest in the scope, or in every scope.</summary>
    public Task<BlockListEntry> BlockAsync(ContentDigest digest, BlockRequest request, bool everywhere, CancellationToken cancellationToken)
        => everywhere ? _engine.BlockEverywhereAsync(digest, request, cancellationToken) : _scope.BlockAsync(digest, request, cancellationToken);

    /// <summary>Removes the scope's entry for a digest, or the global one.</summary>
    public Task<bool> UnblockAsync(ContentDigest digest, BlockRequest request, bool everywhere, CancellationToken cancellationToken)
        => everywhere ? _engine.UnblockEverywhereAsync(digest, request, cancellationToken) : _scope.UnblockAsync(digest, request, cancellationToken);

    /// <summary>The scope's own block-list entries, or every entry, page by page.</summary>
    public async IAsyncEnumerable<BlockListEntry> BlockedAsync(bool everywhere, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? cursor = null;
        do
        {
            var page = everywhere
                ? await _engine.ListBlockedAsync(cursor, PageSize, cancellationToken).ConfigureAwait(false)
                : await _scope.ListBlockedAsync(cursor, PageSize, cancellationToken).ConfigureAwait(false);
            foreach (var entry in page.Items)
            {
                yield return entry;
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);
    }

    /// <summary>Every original of the scope, in every state, page by page.</summary>
    public async IAsyncEnumerable<Original> OriginalsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? cursor = null;
        do
        {
            var page = await _scope.ListOriginalsAsync(cursor, PageSize, cancellationToken).ConfigureAwait(false);
            foreach (var original in page.Items)
            {
                yield return original;
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);
    }

    /// <summary>Every holder of one original, page by page.</summary>
    public async IAsyncEnumerable<HolderReference> HoldersAsync(Guid originalId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? cursor = null;
        do
        {
            var page = await _scope.ListHoldersAsync(originalId, cursor, PageSize, cancellationToken).ConfigureAwait(false);
            foreach (var holder in page.Items)
            {
                yield return holder;
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
