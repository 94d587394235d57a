using ImageDedup.Shared;
using System.Data.Common;
using ImageDedup.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ImageDedup.Sqlite;

/// <summary>
/// The reference store on SQLite. Every method is one transaction; writes start with
/// <c>BEGIN IMMEDIATE</c> so that writers queue on the database lock (busy timeout) instead of
/// failing when a read transaction would have to be upgraded.
/// </summary>
internal sealed class SqliteReferenceStore : ITakedownStore, IHostTransactionParticipant, IAsyncDisposable, IDisposable
{
    /// <summary>The largest page a listing returns.</summary>
    internal const int MaxPageSize = 1000;

    private readonly SqliteConnectionFactory _connections;
    private readonly SqliteConnectionPool _pool;
    private readonly SqliteStatements _sql;
    private readonly SqliteSchemaMigrator _migrator;
    private readonly SqliteReferenceWriter _writer;
    private readonly SqliteTakedownWriter _takedown;
    private readonly SqliteBatchWriter _batchWriter;
    private readonly bool _autoMigrate;
    private readonly ILogger _logger;
    private readonly SqliteCounterBackfill _counterBackfill;
    private readonly BackgroundRun _backfill;

    /// <summary>Creates a store without dependency injection (tests, tools).</summary>
    /// <exception cref="ArgumentException">The options are not valid.</exception>
    internal SqliteReferenceStore(SqliteReferenceStoreOptions options, ILogger<SqliteReferenceStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = SqliteReferenceStoreOptionsValidator.Check(options);
        if (failures.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", failures), nameof(options));
        }

        _logger = logger ?? NullLogger<SqliteReferenceStore>.Instance;
        _connections = new SqliteConnectionFactory(options.ConnectionString);
        _pool = new SqliteConnectionPool(_connections);
        _sql = new SqliteStatements(options.TablePrefix);
        _migrator = new SqliteSchemaMigrator(_connections, _sql, options.TablePrefix, _logger);
        _writer = new SqliteReferenceWriter(_sql, _logger);
        _takedown = new SqliteTakedownWriter(_sql.Takedown);
        _batchWriter = new SqliteBatchWriter(_sql, new SqliteBatchStatements(_sql), _writer);
        _autoMigrate = options.AutoMigrate;
        _counterBackfill = new SqliteCounterBackfill(_connections, options.TablePrefix, _logger);
        _backfill = new BackgroundRun(_counterBackfill.RunQuietlyAsync);
    }

    /// <summary>The SQL text of this store (tests inspect table names and plans through it).</summary>
    internal SqliteStatements Statements => _sql;

    /// <summary>Opens connections configured like the store's own (tests check the pragmas).</summary>
    internal SqliteConnectionFactory Connections => _connections;

    /// <summary>
    /// Creates or upgrades the schema, then counts any originals from before the statistics counters
    /// (in short batches, after the migration's write lock is released). The store's lazy migration on
    /// first use does only the former; its first statistics call starts the count in the background.
    /// </summary>
    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        await _migrator.MigrateAsync(cancellationToken).ConfigureAwait(false);
        await _counterBackfill.RunAsync(cancellationToken).ConfigureAwait(false);
    }

    public bool CanEnlist(DbTransaction transaction) => transaction is SqliteTransaction;

    /// <inheritdoc/>
    public Task<Original?> GetAsync(Guid id, CancellationToken cancellationToken = default)
        => ReadAsync((c, ct) => SqliteCommands.OriginalAsync(c, null, _sql.SelectById, ct, ("@id", OriginalRow.Key(id))), cancellationToken);

    /// <inheritdoc/>
    public Task<Original?> FindLiveAsync(string scope, ContentDigest digest, CancellationToken cancellationToken = default)
    {
        StoreArguments.RequireScope(scope);
        StoreArguments.RequireDigest(digest);
        return ReadAsync(
            (c, ct) => SqliteCommands.OriginalAsync(c, null, _sql.SelectLiveByDigest, ct, ("@scope", scope), ("@digest", digest.ToString())),
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<Original?> FindByHolderAsync(string scope, string holder, CancellationToken cancellationToken = default)
    {
        StoreArguments.RequireScope(scope);
        StoreArguments.RequireHolder(holder);
        return ReadAsync(
            (c, ct) => SqliteCommands.OriginalAsync(c, null, _sql.SelectByHolder, ct, ("@scope", scope), ("@holder", holder)),
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<ReferenceChange?> TryAttachAsync(string scope, ContentDigest digest, string? holder, bool claimIfOrphaned, CancellationToken cancellationToken = default)
    {
        StoreArguments.RequireScope(scope);
        StoreArguments.RequireDigest(digest);
        StoreArguments.RequireHolderOrNull(holder);

        return WriteAsync(null, (c, t, ct) => _writer.TryAttachAsync(c, t, scope, digest, holder, claimIfOrphaned, ct), cancellationToken);
    }

    /// <inheritdoc/>
    public Task InsertPendingAsync(NewOriginal original, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(original);
        StoreArguments.RequireScope(original.Scope);
        StoreArguments.RequireDigest(original.Digest);
        ArgumentOutOfRangeException.ThrowIfNegative(original.Length);
        ArgumentException.ThrowIfNullOrEmpty(original.ContentType);
        ArgumentException.ThrowIfNullOrEmpty(original.StorageKey);
        return WriteAsync(null, (c, t, ct) => _writer.InsertPendingAsync(c, t, original, ct), cancellationToken);
    }

    /// <inheritdoc/>
    public Task<ReferenceChange> PromoteAsync(Guid pendingId, string? holder, bool claimIfOrphaned, CancellationToken cancellationToken = default)
    {
        StoreArguments.RequireHolderOrNull(holder);

        return WriteAsync(null, (c, t, ct) => _writer.PromoteAsync(c, t, pendingId, holder, claimIfOrphaned, ct), cancellationToken);
    }

    /// <inheritdoc/>
    public Task<bool> DeletePendingAsync(Guid id, CancellationToken cancellationToken = default)
        => WriteAsync(null, (c, t, ct) => SqliteReferenceWriter.DeleteRowAsync(c, t, _sql.DeletePending, id, ct), cancellationToken);

    /// <inheritdoc/>
    public Task<Original?> ClaimPendingAsync(Guid id, CancellationToken cancellationToken = default)
        => WriteAsync(null, (c, t, ct) => SqliteCommands.OriginalAsync(c, t, _sql.ClaimPending, ct, ("@id", OriginalRow.Key(id))), cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<ReferenceChange?>> TryAttachManyAsync(string scope, IReadOnlyList<DigestAttachment> requests, bool claimIfOrphaned, CancellationToken cancellationToken = default)
    {
        StoreArguments.RequireScope(scope);
        StoreArguments.RequireAttachments(requests);
        return requests.Count == 0
            ? Task.FromResult<IReadOnlyList<ReferenceChange?>>([])
            : WriteAsync(null, (c, t, ct) => _batchWriter.TryAttachManyAsync(c, t, scope, requests, claimIfOrphaned, ct), cancellationToken);
    }

    /// <inheritdoc/>
    public Task InsertPendingManyAsync(IReadOnlyList<NewOriginal> originals, CancellationToken cancellationToken = default)
    {
        StoreArguments.RequireNewOriginals(originals);
        return originals.Count == 0
            ? Task.CompletedTask
            : WriteAsync(
                null,
                (c, t, ct) =>
                {
                    _batchWriter.InsertPendingMany(c, t, originals, ct);
                    return Task.FromResult(true);
                },
                cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<ReferenceChange?>> PromoteManyAsync(IReadOnlyList<PendingPromotion> promotions, bool claimIfOrphaned, CancellationToken cancellationToken = default)
    {
        StoreArguments.RequirePromotions(promotions);
        return promotions.Count == 0
            ? Task.FromResult<IReadOnlyList<ReferenceChange?>>([])
            : WriteAsync(null, (c, t, ct) => _batchWriter.PromoteManyAsync(c, t, promotions, claimIfOrphaned, ct), cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<Original>> ClaimPendingManyAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return ids.Count == 0 ? [] : await WriteAsync(null, (c, t, ct) => _batchWriter.ClaimPendingManyAsync(c, t, ids, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public Task<int> DeleteClaimedManyAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return ids.Count == 0 ? Task.FromResult(0) : WriteAsync(null, (c, t, ct) => _batchWriter.DeleteClaimedManyAsync(c, t, ids, ct), cancellationToken);
    }

    /// <inheritdoc/>
    public Task<ReferenceChange> AddReferenceAsync(string scope, string holder, Guid originalId, bool claimIfOrphaned, DbTransaction? transaction = null, CancellationToken cancellationToken = default)
    {
        StoreArguments.RequireScope(scope);
        StoreArguments.RequireHolder(holder);
        var claim = claimIfOrphaned && transaction is null;
        return WriteAsync(transaction, (c, t, ct) => _writer.AddReferenceAsync(c, t, scope, holder, originalId, claim, ct), cancellationToken);
    }

    /// <inheritdoc/>
    public Task<ReleaseOutcome> ReleaseAsync(string scope, string holder, bool claimIfOrphaned, DbTransaction? transaction = null, CancellationToken cancellationToken = default)
    {
        StoreArguments.RequireScope(scope);
        StoreArguments.RequireHolder(holder);
        var claim = claimIfOrphaned && transaction is null;
        return WriteAsync(transaction, (c, t, ct) => _writer.ReleaseAsync(c, t, scope, holder, claim, ct), cancellationToken);
    }

    /// <inheritdoc/>
    public Task<PrefixReleaseBatch> ReleasePrefixBatchAsync(string scope, string holderPrefix, int batchSize, bool claimIfOrphaned, DbTransaction? transaction = null, CancellationToken cancellationToken = default)
    {
        StoreArguments.RequireScope(scope);
        StoreArguments.RequireHolder(holderPrefix);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var claim = claimIfOrphaned && transaction is null;
        return WriteAsync(transaction, (c, t, ct) => _writer.ReleasePrefixBatchAsync(c, t, scope, holderPrefix, batchSize, claim, ct), cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<Original>> ClaimOrphansAsync(string? scope, TimeSpan gracePeriod, int batchSize, CancellationToken cancellationToken = default)
    {
        StoreArguments.RequireScopeOrNull(scope);
        ArgumentOutOfRangeException.ThrowIfLessThan(gracePeriod, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        return WriteAsync(null, (c, t, ct) => _writer.ClaimOrphansAsync(c, t, scope, gracePeriod, batchSize, ct), cancellationToken);
    }

    /// <inheritdoc/>
    public Task<bool> DeleteClaimedAsync(Guid id, CancellationToken cancellationToken = default)
        => WriteAsync(null, (c, t, ct) => SqliteReferenceWriter.DeleteRowAsync(c, t, _sql.DeleteClaimed, id, ct), cancellationToken);

    /// <inheritdoc/>
    public Task<Page<Original>> ListOriginalsAsync(string? scope, string? cursor, int pageSize, CancellationToken cancellationToken = default)
    {
        StoreArguments.RequireScopeOrNull(scope);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        var after = ListCursor.Decode(cursor);
        var size = Math.Min(pageSize, MaxPageSize);
        return ReadAsync(
            async (c, ct) =>
            {
                var rows = await SqliteCommands.OriginalsAsync(c, null, _sql.ListOriginals, ct, ("@scope", scope), ("@after", after), ("@limit", size + 1)).ConfigureAwait(false);
                return ListCursor.ToPage(rows, size, o => OriginalRow.Key(o.Id));
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<Page<HolderReference>> ListHoldersAsync(Guid originalId, string? cursor, int pageSize, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        var after = ListCursor.Decode(cursor);
        var size = Math.Min(pageSize, MaxPageSize);
        return ReadAsync(
            async (c, ct) =>
            {
                var rows = await SqliteCommands.QueryAsync(c, null, _sql.ListHolders, OriginalRow.ReadHolder, ct, ("@id", OriginalRow.Key(originalId)), ("@after", after), ("@limit", size + 1)).ConfigureAwait(false);
                return ListCursor.ToPage(rows, size, h => h.Holder);
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<OriginalStatistics> GetStatisticsAsync(string? scope, CancellationToken cancellationToken = default)
    {
        StoreArguments.RequireScopeOrNull(scope);
        return ReadAsync(
            async (c, ct) =>
            {
                var rows = scope is null
                    ? await SqliteCommands.QueryAsync(c, null, _sql.Statistics, StatisticsRow.Read, ct).ConfigureAwait(false)
                    : await SqliteCommands.QueryAsync(c, null, _sql.StatisticsInScope, StatisticsRow.Read, ct, ("@scope", scope)).ConfigureAwait(false);
                if (!rows[0].IsComplete)
                {
                    _backfill.Start();
                }

                return rows[0];
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<Original>> ListStaleAsync(OriginalState state, TimeSpan olderThan, int batchSize, CancellationToken cancellationToken = default)
    {
        if (state == OriginalState.Live)
        {
            throw new ArgumentOutOfRangeException(nameof(state), state, "Only pending and deleting originals can be stale.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(olderThan, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        return ReadAsync<IReadOnlyList<Original>>(
            async (c, ct) => await SqliteCommands.OriginalsAsync(
                c, null, _sql.ListStale, ct, ("@state", (int)state), ("@olderThanMs", (long)olderThan.TotalMilliseconds), ("@limit", batchSize)).ConfigureAwait(false),
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlySet<string>> FindStorageKeysAsync(IReadOnlyCollection<string> storageKeys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storageKeys);
        if (storageKeys.Count == 0)
        {
            return Task.FromResult<IReadOnlySet<string>>(new HashSet<string>());
        }

        var keys = System.Text.Json.JsonSerializer.Serialize(storageKeys, SqliteJson.Default.IReadOnlyCollectionString);
        return ReadAsync<IReadOnlySet<string>>(
            async (c, ct) => (await SqliteCommands.QueryAsync(c, null, _sql.FindStorageKeys, r => r.GetString(0), ct, ("@keys", keys)).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal),
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<DateTimeOffset> GetTimeAsync(CancellationToken cancellationToken = default)
        => ReadAsync(
            async (c, ct) => OriginalRow.FromUnixMilliseconds(Convert.ToInt64(await SqliteCommands.ScalarAsync(c, null, _sql.SelectTime, ct).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture)),
            cancellationToken);

    /// <inheritdoc/>
    public Task<Guid> GetCatalogueIdAsync(CancellationToken cancellationToken = default)
        => ReadAsync(
            async (c, ct) => await SqliteCommands.ScalarAsync(c, null, _sql.SelectCatalogueId, ct).ConfigureAwait(false) is string id
                ? Guid.Parse(id)
                : throw new InvalidOperationException($"The ImageDedup table {_sql.Catalogue} has no catalogue identity row; it was changed by hand."),
            cancellationToken);

    /// <inheritdoc/>
    public Task<bool> MarkBlobMissingAsync(Guid id, bool missing, CancellationToken cancellationToken = default)
        => WriteAsync(
            null,
            async (c, t, ct) => await SqliteCommands.NonQueryAsync(c, t, _sql.MarkBlobMissing, ct, ("@id", OriginalRow.Key(id)), ("@missing", missing ? 1 : 0)).ConfigureAwait(false) > 0,
            cancellationToken);

    /// <inheritdoc/>
    public Task<BlockListEntry> BlockAsync(string? scope, ContentDigest digest, string blockedBy, string reason, CancellationToken cancellationToken = default)
    {
        StoreArguments.RequireScopeOrNull(scope);
        StoreArguments.RequireDigest(digest);
        ArgumentException.ThrowIfNullOrEmpty(blockedBy);
        ArgumentException.ThrowIfNullOrEmpty(reason);

        // A write transaction like every promotion's: SQLite's one writer orders the two.
        return WriteAsync(null, (c, t, ct) => _takedown.BlockAsync(c, t, scope, digest, blockedBy, reason, ct), cancellationToken);
    }

    /// <inheritdoc/>
    public Task<bool> UnblockAsync(string? scope, ContentDigest digest, CancellationToken cancellationToken = default)
    {
        StoreArguments.RequireScopeOrNull(scope);
        StoreArguments.RequireDigest(digest);
        return WriteAsync(null, (c, t, ct) => _takedown.UnblockAsync(c, t, scope, digest, ct), cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyDictionary<ContentDigest, BlockListEntry>> FindBlocksAsync(string scope, IReadOnlyCollection<ContentDigest> digests, CancellationToken cancellationToken = default)
    {
        StoreArguments.RequireScope(scope);
        ArgumentNullException.ThrowIfNull(digests);
        foreach (var digest in digests)
        {
            StoreArguments.RequireDigest(digest);
        }

        if (digests.Count == 0)
        {
            return Task.FromResult<IReadOnlyDictionary<ContentDigest, BlockListEntry>>(new Dictionary<ContentDigest, BlockListEntry>());
        }

        var keys = System.Text.Json.JsonSerializer.Serialize(digests.Select(d => d.ToString()).ToArray(), SqliteJson.Default.IReadOnlyCollectionString);
        return ReadAsync<IReadOnlyDictionary<ContentDigest, BlockListEntry>>(
            async (c, ct) =>
            {
                var rows = await SqliteCommands.QueryAsync(c, null, _sql.Takedown.FindBlocks, r => SqliteTakedownWriter.ReadEntry(r, 0), ct, ("@scope", scope), ("@digests", keys)).ConfigureAwait(false);
                var found = new Dictionary<ContentDigest, BlockListEntry>();
                foreach (var entry in rows)
                {
                    found.TryAdd(entry.Digest, entry); // the scope's own entry comes first
                }

                return found;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<BlockListEntry?> FindBlockAsync(string scope, ContentDigest digest, CancellationToken cancellationToken = default)
    {
        StoreArguments.RequireScope(scope);
        StoreArguments.RequireDigest(digest);
        return ReadAsync(
            async (c, ct) =>
            {
                var rows = await SqliteCommands.QueryAsync(c, null, _sql.Takedown.FindBlock, r => SqliteTakedownWriter.ReadEntry(r, 0), ct, ("@scope", scope), ("@digest", digest.ToString())).ConfigureAwait(false);
                return rows.Count == 0 ? null : rows[0];
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<Page<BlockListEntry>> ListBlocksAsync(string? scope, string? cursor, int pageSize, CancellationToken cancellationToken = default)
    {
        StoreArguments.RequireScopeOrNull(scope);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        long? after = ListCursor.Decode(cursor) is { } key
            ? long.TryParse(key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) ? id : throw new ArgumentException("The cursor was not returned by this store.", nameof(cursor))
            : null;
        var size = Math.Min(pageSize, MaxPageSize);
        return ReadAsync(
            async (c, ct) =>
            {
                var rows = await SqliteCommands.QueryAsync(
                    c, null, _sql.Takedown.ListBlocks, r => (Id: r.GetInt64(0), Entry: SqliteTakedownWriter.ReadEntry(r, 1)), ct,
                    ("@scope", scope), ("@after", after), ("@limit", size + 1)).ConfigureAwait(false);
                var page = ListCursor.ToPage(rows, size, row => SqliteTakedownWriter.Key(row.Id));
                return new Page<BlockListEntry>(page.Items.Select(row => row.Entry).ToList(), page.NextCursor);
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<Original?> ClaimForPurgeAsync(Guid id, CancellationToken cancellationToken = default)
        => WriteAsync(null, (c, t, ct) => _takedown.ClaimAsync(c, t, id, ct), cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<Original>> ClaimForPurgeAsync(string? scope, ContentDigest digest, Guid? after, int batchSize, CancellationToken cancellationToken = default)
    {
        StoreArguments.RequireScopeOrNull(scope);
        StoreArguments.RequireDigest(digest);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        return WriteAsync(null, (c, t, ct) => _takedown.ClaimAsync(c, t, scope, digest, after, batchSize, ct), cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<HolderReference>> ReleaseClaimedAsync(Guid id, int batchSize, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        return WriteAsync(null, (c, t, ct) => _takedown.ReleaseClaimedAsync(c, t, id, batchSize, ct), cancellationToken);
    }

    private async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        if (_autoMigrate)
        {
            await _migrator.EnsureAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<T> ReadAsync<T>(Func<SqliteConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        return await _pool.RunAsync(connection => work(connection, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    private async Task<T> WriteAsync<T>(DbTransaction? hostTransaction, Func<SqliteConnection, SqliteTransaction, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        if (hostTransaction is not null)
        {
            if (hostTransaction is not SqliteTransaction sqliteTransaction)
            {
                throw new NotSupportedException(
                    $"The SQLite reference store can only enlist in a {nameof(SqliteTransaction)}, not a {hostTransaction.GetType().FullName}.");
            }

            var hostConnection = sqliteTransaction.Connection
                ?? throw new InvalidOperationException("The host transaction has already completed.");
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                _logger.LogDebug("Running in the host transaction; releases only record orphans, nothing is claimed.");
            }
            return await work(hostConnection, sqliteTransaction, cancellationToken).ConfigureAwait(false);
        }

        return await _pool.RunAsync(
            async connection =>
            {
                // deferred: false makes Microsoft.Data.Sqlite issue BEGIN IMMEDIATE: the write lock is
                // taken (waiting up to the busy timeout) before anything is read, so no read lock ever
                // needs an upgrade, which SQLite would refuse with SQLITE_BUSY instead of waiting.
                var transaction = connection.BeginTransaction(deferred: false);
                await using (transaction.ConfigureAwait(false))
                {
                    var result = await work(connection, transaction, cancellationToken).ConfigureAwait(false);
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                    return result;
                }
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the background counter backfill and closes the connections the store keeps open.</summary>
    public ValueTask DisposeAsync()
    {
        _backfill.Stop();
        return _pool.DisposeAsync();
    }

    /// <inheritdoc cref="DisposeAsync"/>
    public void Dispose()
    {
        _backfill.Stop();
        _pool.Dispose();
    }
}
