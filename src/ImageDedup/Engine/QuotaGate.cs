using System.Collections.Frozen;
using ImageDedup.Storage;
using Microsoft.Extensions.Logging;

namespace ImageDedup.Engine;

/// <summary>
/// The one place scope quotas are enforced (<see cref="ScopeQuota"/>): every path that is about to
/// store new originals in a scope asks <see cref="CheckAsync"/> first, after hashing and before
/// anything is written. Usage comes from the store's statistics counters (live plus pending
/// originals), a read of a few rows, so the check costs the same however much the scope holds.
/// </summary>
/// <remarks>
/// The check and the pending insert that follows are not one transaction: ingests checked at the same
/// time all see the usage from before any of them, so together they may pass the limit by what they
/// add — at most one in-flight image per concurrent ingest. Each pending original counts from its
/// insert, so any ingest checked after it sees it. Right after an upgrade, while the store is still
/// counting older originals (<see cref="OriginalStatistics.IsComplete"/> false), usage is read low
/// and the quota only enforced against what is counted so far.
/// </remarks>
internal sealed class QuotaGate
{
    private readonly IReferenceStore _references;
    private readonly FrozenDictionary<string, ScopeQuota> _quotas;
    private readonly ScopeQuota? _default;
    private readonly ILogger _logger;

    public QuotaGate(IReferenceStore references, ImageDedupOptions options, ILogger logger)
    {
        _references = references;
        _logger = logger;

        // A copy: the options object may change after start, the quotas in force may not.
        _quotas = options.ScopeQuotas.ToFrozenDictionary(
            q => q.Key,
            q => new ScopeQuota { MaxStoredBytes = q.Value.MaxStoredBytes, MaxOriginals = q.Value.MaxOriginals },
            StringComparer.Ordinal);
        _default = options.DefaultScopeQuota is { } d ? new ScopeQuota { MaxStoredBytes = d.MaxStoredBytes, MaxOriginals = d.MaxOriginals } : null;
    }

    /// <summary>The quota of the scope, or null when it has none.</summary>
    public ScopeQuota? For(string scope)
    {
        var quota = _quotas.TryGetValue(scope, out var named) ? named : _default;
        return quota is { MaxStoredBytes: null, MaxOriginals: null } ? null : quota;
    }

    /// <summary>
    /// Throws <see cref="QuotaExceededException"/> when <paramref name="originals"/> new originals of
    /// <paramref name="bytes"/> bytes in all would take the scope past its quota. Reads nothing when
    /// the scope has no quota.
    /// </summary>
    public async Task CheckAsync(string scope, int originals, long bytes, CancellationToken cancellationToken)
    {
        if (For(scope) is not { } quota)
        {
            return;
        }

        var usage = await _references.GetStatisticsAsync(scope, cancellationToken).ConfigureAwait(false);
        if (Refusal(scope, quota, usage.StoredBytes + usage.PendingBytes, usage.UniqueOriginals + usage.PendingOriginals, originals, bytes) is { } refusal)
        {
            throw refusal;
        }
    }

    /// <summary>
    /// The check of <see cref="CheckAsync"/> for each of a batch's new originals, in order, as if
    /// they were ingested one after another: each is measured against the usage read once plus the
    /// originals admitted before it, so a batch alone never passes the limit, and a refused one adds
    /// nothing. Concurrent ingests overshoot as in <see cref="CheckAsync"/>, by what they have in
    /// flight. Reads nothing when the scope has no quota.
    /// </summary>
    /// <returns>One entry per length, in order: null when admitted, else the refusal.</returns>
    public async Task<QuotaExceededException?[]> CheckEachAsync(string scope, IReadOnlyList<long> lengths, CancellationToken cancellationToken)
    {
        var refusals = new QuotaExceededException?[lengths.Count];
        if (For(scope) is not { } quota || lengths.Count == 0)
        {
            return refusals;
        }

        var usage = await _references.GetStatisticsAsync(scope, cancellationToken).ConfigureAwait(false);
        var storedBytes = usage.StoredBytes + usage.PendingBytes;
        var storedOriginals = usage.UniqueOriginals + usage.PendingOriginals;
        for (var i = 0; i < lengths.Count; i++)
        {
            refusals[i] = Refusal(scope, quota, storedBytes, storedOriginals, originals: 1, lengths[i]);
            if (refusals[i] is null)
            {
                storedBytes += lengths[i];
                storedOriginals++;
            }
        }

        return refusals;
    }

    /// <summary>The refusal (logged) of <paramref name="originals"/> new originals of <paramref name="bytes"/> bytes at this usage, or null when they fit.</summary>
    private QuotaExceededException? Refusal(string scope, ScopeQuota quota, long storedBytes, long storedOriginals, int originals, long bytes)
    {
        if (quota.MaxStoredBytes is { } maxBytes && storedBytes + bytes > maxBytes)
        {
            EngineLog.QuotaExceeded(_logger, scope, nameof(QuotaMeasure.StoredBytes), maxBytes, storedBytes, bytes);
            return new QuotaExceededException(scope, QuotaMeasure.StoredBytes, maxBytes, storedBytes, bytes);
        }

        if (quota.MaxOriginals is { } maxOriginals && storedOriginals + originals > maxOriginals)
        {
            EngineLog.QuotaExceeded(_logger, scope, nameof(QuotaMeasure.Originals), maxOriginals, storedOriginals, originals);
            return new QuotaExceededException(scope, QuotaMeasure.Originals, maxOriginals, storedOriginals, originals);
        }

        return null;
    }

    /// <summary>The start-up check of the configured quotas (<c>ImageDedupOptionsValidator</c>).</summary>
    public static IEnumerable<string> Check(ImageDedupOptions options)
    {
        foreach (var (scope, quota) in options.ScopeQuotas)
        {
            if (!IsValidScope(scope))
            {
                yield return $"{nameof(options.ScopeQuotas)} names '{scope}', which is not a valid scope name.";
            }

            foreach (var failure in CheckLimits(quota, $"{nameof(options.ScopeQuotas)}['{scope}']"))
            {
                yield return failure;
            }
        }

        if (options.DefaultScopeQuota is { } fallback)
        {
            foreach (var failure in CheckLimits(fallback, nameof(options.DefaultScopeQuota)))
            {
                yield return failure;
            }
        }
    }

    private static IEnumerable<string> CheckLimits(ScopeQuota? quota, string name)
    {
        if (quota is null)
        {
            yield return $"{name} is null; remove the entry for no quota.";
            yield break;
        }

        if (quota.MaxStoredBytes < 0)
        {
            yield return $"{name}.{nameof(quota.MaxStoredBytes)} must not be negative.";
        }

        if (quota.MaxOriginals < 0)
        {
            yield return $"{name}.{nameof(quota.MaxOriginals)} must not be negative.";
        }
    }

    private static bool IsValidScope(string scope)
    {
        try
        {
            Names.ValidateScope(scope);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
