using ImageDedup.Shared;
using System.Data.Common;
using ImageDedup.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;

namespace ImageDedup.Postgres;

/// <summary>
/// The reference store on PostgreSQL. Every method is one statement (multi-step work runs in the
/// plpgsql functions of the install script), so each call is atomic and one round trip. Inside a host
/// transaction the statement runs on the host's connection and never claims a deletion.
/// </summary>
internal sealed class PostgresReferenceStore : ITakedownStore, IHostTransactionParticipant, IAsyncDisposable
{
    /// <summary>The largest page a listing returns.</summary>
    internal const int MaxPageSize = 1000;

    private int _indexBuildRequested;
    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly PostgresSql _sql;
    private readonly PostgresBatchSql _batchSql;
    private readonly PostgresSchemaMigrator _migrator;
    private readonly bool _autoMigrate;
    private readonly ILogger _logger;
    private readonly PostgresCounterBackfill _counterBackfill;
    private readonly BackgroundRun _backfill;
    private readonly PostgresIndexUpgrade _indexUpgrade;
    private readonly BackgroundRun _indexBuild;

    /// <summary>
    /// Creates a store. It builds (and owns) a data source from the connection string, or, with
    /// <see cref="PostgresReferenceStoreOptions.UseRegisteredDataSource"/>, uses <paramref name="registeredDataSource"/>
    /// without owning it.
    /// </summary>
    /// <exception cref="ArgumentException">The options are not valid.</exception>
    internal PostgresReferenceStore(PostgresReferenceStoreOptions options, NpgsqlDataSource? registeredDataSource = null, ILogger<PostgresReferenceStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = PostgresReferenceStoreOptionsValidator.Check(options);
        if (failures.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", failures), nameof(options));
        }

        _logger = logger ?? NullLogger<PostgresReferenceStore>.Instance;
        if (options.UseRegisteredDataSource)
        {
            _dataSource = registeredDataSource
                ?? throw new ArgumentException("UseRegisteredDataSource is set but no NpgsqlDataSource was given.", nameof(registeredDataSource));
        }
        else
        {
            _dataSource = NpgsqlDataSource.Create(options.ConnectionString!);
            _ownsDataSource = true;
        }

        _sql = new PostgresSql(options.Schema);
        _batchSql = new PostgresBatchSql(_sql);
        _migrator = new PostgresSchemaMigrator(_dataSource, _sql, _logger);
        _autoMigrate = options.AutoMigrate;
        _counterBackfill = new PostgresCounterBackfill(_dataSource, _sql, _logger);
        _backfill = new BackgroundRun(_counterBackfill.RunQuietlyAsync);
        _indexUpgrade = new PostgresIndexUpgrade(_dataSource, _sql, _logger);
        _indexBuild = new BackgroundRun(_indexUpgrade.RunQuietlyAsync);
    }

    /// <summary>The data source the store uses (the health check and tests share it).</summary>
    internal NpgsqlDataSource DataSource => _dataSource;

    /// <summary>The SQL of this store (tests read the schema name through it).</summary>
    internal PostgresSql Sql => _sql;

    /// <summary>
    /// Creates or upgrades the schema, then does the catch-up work that must not run under the
    /// migration lock: counts any originals from before the statistics counters (in short batches) and
    /// builds version 5's indexes concurrently on a catalogue that had rows. The store's lazy migration
    /// on first use starts the index build in the background; its first statistics call the count.
    /// </summary>
    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        await _migrator.MigrateAsync(cancellationToken).ConfigureAwait(false);
        await _counterBackfill.RunAsync(cancellationToken).ConfigureAwait(false);
        await _indexUpgrade.RunAsync(waitForOthers: true, cancellationToken).ConfigureAwait(false);
    }

    public bool CanEnlist(DbTransaction transaction) => transaction is NpgsqlTransaction;

    /// <inheritdoc/>
    public Task<Original?> GetAsync(Guid id, CancellationToken cancellationToken = default)
        => QuerySingleAsync(null, _sql.SelectById, [Uuid(id)], r => OriginalRows.Read(r), cancellationToken);

    /// <inheritdoc/>
    public Task<Original?> FindLiveAsync(string scope, ContentDigest digest, CancellationToken cancellationToken = default)
    {
        StoreArguments.RequireScope(scope);
        StoreArguments.RequireDigest(digest);
        return QuerySingleAsync(null, _sql.SelectLiveByDigest, [Text(scope), Text(digest.ToString())], r => OriginalRows.Read(r), cancellationToken);
    }

    /// <inheritdoc/>
    public Task<Original?> FindByHolderAsync(string scope, string holder, CancellationToken cancellationToken = default)
    {
        StoreArguments.RequireScope(scope);
        StoreArguments.RequireHolder(holder);
        return QuerySingleAsync(null, _sql.SelectByHolder, [Text(scope), Text(holder)], r => OriginalRows.Read(r), cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<ReferenceChange?> TryAttachAsync(string scope, ContentDigest digest, string? holder, bool claimIfOrphaned, CancellationToken cancellationToken = default)
    {
        StoreArguments.RequireScope(scope);
        StoreArguments.RequireDigest(digest);
        StoreArguments.RequireHolderOrNull(holder);

        var rows = await ChangesAsync(null, _sql.TryAttach, [Text(scope), Text(digest.ToString()), Text(holder), Bool(claimIfOrphaned)], cancellationToken).ConfigureAwait(false);
        var change = ToReferenceChange(rows);
        if (change is not null)
        {
            Log.Attached(_logger, holder, scope, change.Original.Id, change.Added, change.Displaced?.Id);
        }

        return change;
    }

    /// <inheritdoc/>
    public async Task InsertPendingAsync(NewOriginal original, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(original);
        StoreArguments.RequireScope(original.Scope);
        StoreArguments.RequireDigest(original.Digest);
        ArgumentOutOfRangeException.ThrowIfNegative(original.Length);
        ArgumentException.ThrowIfNullOrEmpty(original.ContentType);
        ArgumentException.ThrowIfNullOrEmpty(original.StorageKey);
        await ExecuteAsync(
            _sql.InsertPending,
            [Uuid(original.Id), Text(original.Scope), Text(original.Digest.ToString()), Int64(original.Length), Text(original.ContentType), Text(original.StorageKey)],
            cancellationToken).ConfigureAwait(false);
        Log.InsertedPending(_logger, original.Id, original.Digest.ToString(), original.Scope);
    }

    /// <inheritdoc/>
    public async Task<ReferenceChange> PromoteAsync(Guid pendingId, string? holder, bool claimIfOrphaned, CancellationToken cancellationToken = default)
    {
        StoreArguments.RequireHolderOrNull(holder);

        var rows = await ChangesAsync(null, _sql.Promote, [Uuid(pendingId), Text(holder), Bool(claimIfOrphaned)], cancellationToken).ConfigureAwait(false);
        var change = ToReferenceChange(rows)
            ?? throw new InvalidOperationException($"The original '{pendingId}' is missing or no longer pending.");
        Log.Promoted(_logger, pendingId, change.Original.Id, change.Original.Id != pendingId);
        return change;
    }

    /// <inheritdoc/>
    public async Task<bool> DeletePendingAsync(Guid id, CancellationToken cancellationToken = default)
        => await ExecuteAsync(_sql.DeletePending, [Uuid(id)], cancellationToken).ConfigureAwait(false) > 0;

    /// <inheritdoc/>
    public Task<Original?> ClaimPendingAsync(Guid id, CancellationToken cancellationToken = default)
        => QuerySingleAsync(null, _sql.ClaimPending, [Uuid(id)], r => OriginalRows.Read(r), cancellationToken);

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ReferenceChange?>> TryAttachManyAsync(string scope, IReadOnlyList<DigestAttachment> requests, bool claimIfOrphaned, CancellationToken cancellationToken = default)
    {
        StoreArguments.RequireScope(scope);
        StoreArguments.RequireAttachments(requests);
        if (requests.Count == 0)
        {
            return [];
        }

        var rows = await IndexedChangesAsync(
            _batchSql.TryAttachMany,
            [Text(scope), TextArray(requests.Select(r => r.Digest.ToString())), TextArray(requests.Select(r => r.Holder)), Bool(claimIfOrphaned)],
            cancellationToken).ConfigureAwait(false);
        var changes = ToReferenceChanges(rows, requests.Count);
        Log.AttachedMany(_logger, requests.Count, scope, changes.Count(c => c is not null));
        return changes;
    }

    /// <inheritdoc/>
    public async Task InsertPendingManyAsync(IReadOnlyList<NewOriginal> originals, CancellationToken cancellationToken = default)
    {
        StoreArguments.RequireNewOriginals(originals);
        if (originals.Count == 0)
        {
            return;
        }

        await ExecuteAsync(
            _batchSql.InsertPendingMany,
            [
                new NpgsqlParameter { Value = originals.Select(o => o.Id).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid },
                TextArray(originals.Select(o => o.Scope)),
                TextArray(originals.Select(o => o.Digest.ToString())),
                new NpgsqlParameter { Value = originals.Select(o => o.Length).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint },
                TextArray(originals.Select(o => o.ContentType)),
                TextArray(originals.Select(o => o.StorageKey)),
            ],
            cancellationToken).ConfigureAwait(false);
        Log.InsertedPendingMany(_logger, originals.Count);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ReferenceChange?>> PromoteManyAsync(IReadOnlyList<PendingPromotion> promotions, bool claimIfOrphaned, CancellationToken cancellationToken = default)
    {
        StoreArguments.RequirePromotions(promotions);
        if (promotions.Count == 0)
        {
            return [];
        }

        var rows = await IndexedChangesAsync(
            _batchSql.PromoteMany,
            [UuidArray(promotions.Select(p => p.PendingId)), TextArray(promotions.Select(p => p.Holder)), Bool(claimIfOrphaned)],
            cancellationToken).ConfigureAwait(false);
        var changes = ToReferenceChanges(rows, promotions.Count);
        Log.PromotedMany(_logger, promotions.Count, changes.Count(c => c is not null));
        return changes;
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<Original>> ClaimPendingManyAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return ids.Count == 0 ? [] : await QueryAsync(null, _batchSql.ClaimPendingMany, [UuidArray(ids)], r => OriginalRows.Read(r), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<int> DeleteClaimedManyAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return ids.Count == 0 ? 0 : await ExecuteAsync(_batchSql.DeleteClaimedMany, [UuidArray(ids)], cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<ReferenceChange> AddReferenceAsync(string scope, string holder, Guid originalId, bool claimIfOrphaned, DbTransaction? transaction = null, CancellationToken cancellationToken = default)
    {
        StoreArguments.RequireScope(scope);
        StoreArguments.RequireHolder(holder);
        var host = Enlist(transaction);
        var claim = claimIfOrphaned && host is null;
        var rows = await ChangesAsync(host, _sql.Attach, [Text(scope), Text(holder), Uuid(originalId), Bool(claim)], cancellationToken).ConfigureAwait(false);
        var change = ToReferenceChange(rows) ?? throw new OriginalNotFoundException(originalId, scope);
        Log.Attached(_logger, holder, scope, change.Original.Id, change.Added, change.Displaced?.Id);
        return change;
    }

    /// <inheritdoc/>
    public async Task<ReleaseOutcome> ReleaseAsync(string scope, string holder, bool claimIfOrphaned, DbTransaction? transaction = null, CancellationToken cancellationToken = default)
    {
        StoreArguments.RequireScope(scope);
        StoreArguments.RequireHolder(holder);
        var host = Enlist(transaction);
        var claim = claimIfOrphaned && host is null;
        var original = await QuerySingleAsync(host, _sql.Release, [Text(scope), Text(holder), Bool(claim)], r => OriginalRows.Read(r), cancellationToken).ConfigureAwait(false);
        Log.Released(_logger, holder, scope, original?.Id, original?.ReferenceCount ?? 0, original?.State);
        return new ReleaseOutcome(original);
    }

    /// <inheritdoc/>
    public async Task<PrefixReleaseBatch> ReleasePrefixBatchAsync(string scope, string holderPrefix, int batchSize, bool claimIfOrphaned, DbTransaction? transaction = null, CancellationToken cancellationToken = default)
    {
        StoreArguments.RequireScope(scope);
        StoreArguments.RequireHolder(holderPrefix);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var host = Enlist(transaction);
        var claim = claimIfOrphaned && host is null;
        var rows = await ChangesAsync(
            host,
            _sql.ReleasePrefix,
            [Text(scope), Text(holderPrefix), Text(HolderRange.UpperBound(holderPrefix)), Int32(batchSize), Bool(claim)],
            cancellationToken).ConfigureAwait(false);

        var released = 0;
        var orphaned = 0;
        var claimed = new List<Original>();
        foreach (var row in rows)
        {
            if (row.Original is not { } original)
            {
                released = checked((int)row.Count);
                continue;
            }

            orphaned++;
            if (original.State == OriginalState.Deleting)
            {
                claimed.Add(original);
            }
        }

        Log.PrefixReleased(_logger, released, holderPrefix, scope, orphaned, claimed.Count);
        return new PrefixReleaseBatch(released, claimed, orphaned);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<Original>> ClaimOrphansAsync(string? scope, TimeSpan gracePeriod, int batchSize, CancellationToken cancellationToken = default)
    {
        StoreArguments.RequireScopeOrNull(scope);
        ArgumentOutOfRangeException.ThrowIfLessThan(gracePeriod, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var claimed = scope is null
            ? await QueryAsync(null, _sql.ClaimOrphans, [Interval(gracePeriod), Int32(batchSize)], r => OriginalRows.Read(r), cancellationToken).ConfigureAwait(false)
            : await QueryAsync(null, _sql.ClaimOrphansInScope, [Interval(gracePeriod), Int32(batchSize), Text(scope)], r => OriginalRows.Read(r), cancellationToken).ConfigureAwait(false);
        Log.OrphansClaimed(_logger, claimed.Count);
        return claimed;
    }

    /// <inheritdoc/>
    public async Task<bool> DeleteClaimedAsync(Guid id, CancellationToken cancellationToken = default)
        => await ExecuteAsync(_sql.DeleteClaimed, [Uuid(id)], cancellationToken).ConfigureAwait(false) > 0;

    /// <inheritdoc/>
    public async Task<Page<Original>> ListOriginalsAsync(string? scope, string? cursor, int pageSize, CancellationToken cancellationToken = default)
    {
        StoreArguments.RequireScopeOrNull(scope);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        var after = ListCursor.DecodeId(cursor);
        var size = Math.Min(pageSize, MaxPageSize);
        var (sql, parameters) = (scope, after) switch
        {
            (null, null) => (_sql.ListAllOriginalsFirst, new[] { Int32(size + 1) }),
            (null, { } id) => (_sql.ListAllOriginalsAfter, [Int32(size + 1), Uuid(id)]),
            (_, null) => (_sql.ListOriginalsFirst, [Text(scope), Int32(size + 1)]),
            (_, { } id) => (_sql.ListOriginalsAfter, [Text(scope), Int32(size + 1), Uuid(id)]),
        };
        var rows = await QueryAsync(null, sql, parameters, r => OriginalRows.Read(r), cancellationToken).ConfigureAwait(false);
        return ListCursor.ToPage(rows, size, o => o.Id.ToString("D"));
    }

    /// <inheritdoc/>
    public async Task<Page<HolderReference>> ListHoldersAsync(Guid originalId, string? cursor, int pageSize, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        var after = ListCursor.Decode(cursor);
        var size = Math.Min(pageSize, MaxPageSize);
        var rows = after is not null
            ? await QueryAsync(null, _sql.ListHoldersAfter, [Uuid(originalId), Int32(size + 1), Text(after)], OriginalRows.ReadHolder, cancellationToken).ConfigureAwait(false)
            : await QueryAsync(null, _sql.ListHoldersFirst, [Uuid(originalId), Int32(size + 1)], OriginalRows.ReadHolder, cancellationToken).ConfigureAwait(false);
        return ListCursor.ToPage(rows, size, h => h.Holder);
    }

    /// <inheritdoc/>
    public async Task<OriginalStatistics> GetStatisticsAsync(string? scope, CancellationToken cancellationToken = default)
    {
        StoreArguments.RequireScopeOrNull(scope);
        var rows = scope is null
            ? await QueryAsync(null, _sql.Statistics, [], StatisticsRow.Read, cancellationToken).ConfigureAwait(false)
            : await QueryAsync(null, _sql.StatisticsInScope, [Text(scope)], StatisticsRow.Read, cancellationToken).ConfigureAwait(false);
        if (!rows[0].IsComplete)
        {
            _backfill.Start();
        }

        return rows[0];
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<Original>> ListStaleAsync(OriginalState state, TimeSpan olderThan, int batchSize, CancellationToken cancellationToken = default)
    {
        if (state is not (OriginalState.Pending or OriginalState.Deleting))
        {
            throw new ArgumentOutOfRangeException(nameof(state), state, "Only pending and deleting originals can be stale.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(olderThan, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        return ListStaleCoreAsync(state, olderThan, batchSize, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlySet<string>> FindStorageKeysAsync(IReadOnlyCollection<string> storageKeys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storageKeys);
        if (storageKeys.Count == 0)
        {
            return new HashSet<string>(StringComparer.Ordinal);
        }

        var keys = new NpgsqlParameter { Value = storageKeys.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text };
        var found = await QueryAsync(null, _sql.FindStorageKeys, [keys], r => r.GetString(0), cancellationToken).ConfigureAwait(false);
        return found.ToHashSet(StringComparer.Ordinal);
    }

    /// <inheritdoc/>
    public async Task<DateTimeOffset> GetTimeAsync(CancellationToken cancellationToken = default)
    {
        var rows = await QueryAsync(null, PostgresSql.Time, [], r => r.GetFieldValue<DateTimeOffset>(0), cancellationToken).ConfigureAwait(false);
        return rows[0];
    }

    /// <inheritdoc/>
    public async Task<Guid> GetCatalogueIdAsync(CancellationToken cancellationToken = default)
    {
        var rows = await QueryAsync(null, _sql.SelectCatalogueId, [], r => r.GetGuid(0), cancellationToken).ConfigureAwait(false);
        return rows.Count == 1
            ? rows[0]
            : throw new InvalidOperationException($"The ImageDedup schema {_sql.Schema} has no catalogue identity row; it was changed by hand.");
    }

    /// <inheritdoc/>
    public async Task<bool> MarkBlobMissingAsync(Guid id, bool missing, CancellationToken cancellationToken = default)
        => await ExecuteAsync(_sql.MarkBlobMissing, [Uuid(id), Bool(missing)], cancellationToken).ConfigureAwait(false) > 0;

    /// <inheritdoc/>
    public async Task<BlockListEntry> BlockAsync(string? scope, ContentDigest digest, string blockedBy, string reason, CancellationToken cancellationToken = default)
    {
        StoreArguments.RequireScopeOrNull(scope);
        StoreArguments.RequireDigest(digest);
        ArgumentException.ThrowIfNullOrEmpty(blockedBy);
        ArgumentException.ThrowIfNullOrEmpty(reason);
        var rows = await QueryAsync(null, _sql.Takedown.Block, [Text(scope), Text(digest.ToString()), Text(blockedBy), Text(reason)], OriginalRows.ReadBlock, cancellationToken).ConfigureAwait(false);
        return rows[0].Entry;
    }

    /// <inheritdoc/>
    public async Task<bool> UnblockAsync(string? scope, ContentDigest digest, CancellationToken cancellationToken = default)
    {
        StoreArguments.RequireScopeOrNull(scope);
        StoreArguments.RequireDigest(digest);
        return scope is null
            ? await ExecuteAsync(_sql.Takedown.UnblockGlobal, [Text(digest.ToString())], cancellationToken).ConfigureAwait(false) > 0
            : await ExecuteAsync(_sql.Takedown.UnblockScoped, [Text(digest.ToString()), Text(scope)], cancellationToken).ConfigureAwait(false) > 0;
    }

    /// <inheritdoc/>
    public async Task<BlockListEntry?> FindBlockAsync(string scope, ContentDigest digest, CancellationToken cancellationToken = default)
    {
        StoreArguments.RequireScope(scope);
        StoreArguments.RequireDigest(digest);
        var rows = await QueryAsync(null, _sql.Takedown.FindBlock, [Text(digest.ToString()), Text(scope)], OriginalRows.ReadBlock, cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0].Entry;
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyDictionary<ContentDigest, BlockListEntry>> FindBlocksAsync(string scope, IReadOnlyCollection<ContentDigest> digests, CancellationToken cancellationToken = default)
    {
        StoreArguments.RequireScope(scope);
        ArgumentNullException.ThrowIfNull(digests);
        foreach (var digest in digests)
        {
            StoreArguments.RequireDigest(digest);
        }

        if (digests.Count == 0)
        {
            return new Dictionary<ContentDigest, BlockListEntry>();
        }

        var keys = new NpgsqlParameter { Value = digests.Select(d => d.ToString()).Distinct(StringComparer.Ordinal).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text };
        var rows = await QueryAsync(null, _sql.Takedown.FindBlocks, [keys, Text(scope)], OriginalRows.ReadBlock, cancellationToken).ConfigureAwait(false);
        return rows.ToDictionary(row => row.Entry.Digest, row => row.Entry);
    }

    /// <inheritdoc/>
    public async Task<Page<BlockListEntry>> ListBlocksAsync(string? scope, string? cursor, int pageSize, CancellationToken cancellationToken = default)
    {
        StoreArguments.RequireScopeOrNull(scope);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        long? after = ListCursor.Decode(cursor) is { } key
            ? long.TryParse(key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) ? id : throw new ArgumentException("The cursor was not returned by this store.", nameof(cursor))
            : null;
        var size = Math.Min(pageSize, MaxPageSize);
        var afterParameter = new NpgsqlParameter { Value = (object?)after ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint };
        var rows = await QueryAsync(null, _sql.Takedown.ListBlocks, [Text(scope), afterParameter, Int32(size + 1)], OriginalRows.ReadBlock, cancellationToken).ConfigureAwait(false);
        var page = ListCursor.ToPage(rows, size, row => row.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return new Page<BlockListEntry>(page.Items.Select(row => row.Entry).ToList(), page.NextCursor);
    }

    /// <inheritdoc/>
    public async Task<Original?> ClaimForPurgeAsync(Guid id, CancellationToken cancellationToken = default)
    {
        var rows = await ChangesAsync(null, _sql.Takedown.ClaimForPurge, [Uuid(id)], cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0].Original;
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<Original>> ClaimForPurgeAsync(string? scope, ContentDigest digest, Guid? after, int batchSize, CancellationToken cancellationToken = default)
    {
        StoreArguments.RequireScopeOrNull(scope);
        StoreArguments.RequireDigest(digest);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var afterParameter = new NpgsqlParameter { Value = (object?)after ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid };
        var claimed = await QueryAsync(null, _sql.Takedown.ClaimDigestForPurge, [Text(digest.ToString()), Text(scope), afterParameter, Int32(batchSize)], r => OriginalRows.Read(r), cancellationToken).ConfigureAwait(false);

        // RETURNING has no order; the caller pages on the last identifier. uuid order is the order of
        // the lowercase text.
        claimed.Sort((x, y) => string.CompareOrdinal(x.Id.ToString("D"), y.Id.ToString("D")));
        return claimed;
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<HolderReference>> ReleaseClaimedAsync(Guid id, int batchSize, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        return await QueryAsync(null, _sql.Takedown.ReleaseClaimed, [Uuid(id), Int32(batchSize)], OriginalRows.ReadHolder, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs the health check's query: one cheap round trip on the store's data source.</summary>
    internal async Task PingAsync(CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand("SELECT 1");
        await using (command.ConfigureAwait(false))
        {
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        _backfill.Stop();
        _indexBuild.Stop();
        if (_ownsDataSource)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }
    }

    private NpgsqlTransaction? Enlist(DbTransaction? transaction)
    {
        if (transaction is null)
        {
            return null;
        }

        if (transaction is not NpgsqlTransaction npgsql)
        {
            throw new NotSupportedException(
                $"The PostgreSQL reference store can only enlist in an {nameof(NpgsqlTransaction)}, not a {transaction.GetType().FullName}.");
        }

        _ = npgsql.Connection ?? throw new InvalidOperationException("The host transaction has already completed.");
        Log.InHostTransaction(_logger);
        return npgsql;
    }

    private async Task<IReadOnlyList<Original>> ListStaleCoreAsync(OriginalState state, TimeSpan olderThan, int batchSize, CancellationToken cancellationToken)
        => await QueryAsync(
            null,
            _sql.ListStale,
            [Text(state == OriginalState.Pending ? "pending" : "deleting"), Interval(olderThan), Int32(batchSize)],
            r => OriginalRows.Read(r),
            cancellationToken).ConfigureAwait(false);

    private static ReferenceChange? ToReferenceChange(List<OriginalRows.Change> rows)
    {
        Original? target = null;
        Original? displaced = null;
        var added = false;
        foreach (var row in rows)
        {
            if (row.Kind == OriginalRows.BlockedKind)
            {
                // The function wrote nothing: it refused before the first write.
                throw new BlockedContentException(ContentDigest.Parse(row.RefusedDigest!), row.RefusedScope!);
            }

            if (row.Kind == 1)
            {
                target = row.Original;
                added = row.Added;
            }
            else if (row.Kind == 2)
            {
                displaced = row.Original;
            }
        }

        return target is null ? null : new ReferenceChange(target, added, displaced);
    }



    /// <summary>Runs a group-commit function of Install.v8.sql, which takes its locks in the store's documented order.</summary>
    private Task<List<(int Item, OriginalRows.Change Change)>> IndexedChangesAsync(string sql, NpgsqlParameter[] parameters, CancellationToken cancellationToken)
        => QueryAsync(null, sql, parameters, OriginalRows.ReadIndexedChange, cancellationToken);

    /// <summary>One entry per item (functions number them from 1): the change, or null when the item returned nothing.</summary>
    private static ReferenceChange?[] ToReferenceChanges(List<(int Item, OriginalRows.Change Change)> rows, int count)
    {
        var changes = new ReferenceChange?[count];
        foreach (var group in rows.GroupBy(r => r.Item))
        {
            changes[group.Key - 1] = ToReferenceChange(group.Select(r => r.Change).ToList());
        }

        return changes;
    }

    private async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        if (_autoMigrate)
        {
            await _migrator.EnsureAsync(cancellationToken).ConfigureAwait(false);

            // Once per store, not per statement: a failed build is retried by the next start or
            // MigrateAsync, as its warning says, not by every ingest and release.
            if (Interlocked.Exchange(ref _indexBuildRequested, 1) == 0)
            {
                _indexBuild.Start();
            }
        }
    }

    private Task<List<OriginalRows.Change>> ChangesAsync(NpgsqlTransaction? host, string sql, NpgsqlParameter[] parameters, CancellationToken cancellationToken)
        => QueryAsync(host, sql, parameters, r => OriginalRows.ReadChange(r), cancellationToken);

    private async Task<T?> QuerySingleAsync<T>(NpgsqlTransaction? host, string sql, NpgsqlParameter[] parameters, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
        where T : class
    {
        var rows = await QueryAsync(host, sql, parameters, read, cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    private async Task<List<T>> QueryAsync<T>(NpgsqlTransaction? host, string sql, NpgsqlParameter[] parameters, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        return host is null
            ? await DeadlockRetry.RunAsync(ct => ReadAsync(null, sql, parameters, read, ct), _logger, cancellationToken).ConfigureAwait(false)
            : await ReadAsync(host, sql, parameters, read, cancellationToken).ConfigureAwait(false);
    }

    private async Task<List<T>> ReadAsync<T>(NpgsqlTransaction? host, string sql, NpgsqlParameter[] parameters, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        var command = CreateCommand(host, sql, parameters);
        await using (command.ConfigureAwait(false))
        {
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                var rows = new List<T>();
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    rows.Add(read(reader));
                }

                return rows;
            }
        }
    }

    private async Task<int> ExecuteAsync(string sql, NpgsqlParameter[] parameters, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        return await DeadlockRetry.RunAsync(
            async ct =>
            {
                var command = CreateCommand(null, sql, parameters);
                await using (command.ConfigureAwait(false))
                {
                    return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }
            },
            _logger,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A command on the host transaction's connection, or one that borrows a pooled connection for itself.</summary>
    private NpgsqlCommand CreateCommand(NpgsqlTransaction? host, string sql, NpgsqlParameter[] parameters)
    {
        var command = host is null ? _dataSource.CreateCommand(sql) : new NpgsqlCommand(sql, host.Connection, host);

        // A parameter belongs to one collection at a time; a retried statement adds the same ones to
        // its next command, so they are taken out of any earlier (disposed) one first.
        foreach (var parameter in parameters)
        {
            if (parameter.Collection is { } previous)
            {
                previous.Remove(parameter);
            }
        }

        command.Parameters.AddRange(parameters);
        return command;
    }

    private static NpgsqlParameter Uuid(Guid value) => new() { Value = value, NpgsqlDbType = NpgsqlDbType.Uuid };

    private static NpgsqlParameter UuidArray(IEnumerable<Guid> values) => new() { Value = values.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid };

    private static NpgsqlParameter TextArray(IEnumerable<string?> values) => new() { Value = values.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text };

    private static NpgsqlParameter Text(string? value) => new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };

    private static NpgsqlParameter Bool(bool value) => new() { Value = value, NpgsqlDbType = NpgsqlDbType.Boolean };

    private static NpgsqlParameter Int32(int value) => new() { Value = value, NpgsqlDbType = NpgsqlDbType.Integer };

    private static NpgsqlParameter Int64(long value) => new() { Value = value, NpgsqlDbType = NpgsqlDbType.Bigint };

    private static NpgsqlParameter Interval(TimeSpan value) => new() { Value = value, NpgsqlDbType = NpgsqlDbType.Interval };
}
