using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ImageDedup.Storage;

namespace ImageDedup.Scale;

/// <summary>
/// One freshly migrated catalogue, filled in bulk by SQL in the real schema. Original <c>i</c>
/// (1 … N) has a computable id, its content is the UTF-8 text <c>scale-original-i</c> (so an ingest
/// of those bytes is a duplicate), and it lives in one of ~1,000 scopes drawn Zipf-like (scope
/// <c>t000</c> holds ~14 % of everything, most scopes a handful). Every hundredth original is an
/// orphan a day old (garbage collection's pool); the others have one reference, every fifth two:
/// ~1.2 references per original.
/// </summary>
internal abstract class ScaleCatalogue : IAsyncDisposable
{
    /// <summary>The biggest scope: the per-scope figures and prefix releases are measured there.</summary>
    public const string BigScope = "t000";

    public abstract string Name { get; }

    /// <summary>Registers this catalogue's reference store with the engine.</summary>
    public abstract void Configure(IImageDedupBuilder builder);

    /// <summary>Migrates the schema through the store and fills it with <paramref name="originals"/> originals.</summary>
    public abstract Task PopulateAsync(IReferenceStore store, long originals);

    /// <summary>The scope of each of these originals.</summary>
    public abstract Task<Dictionary<Guid, string>> ScopesAsync(IReadOnlyList<Guid> ids);

    /// <summary>Points 1,000 new holders under <paramref name="prefix"/> in <see cref="BigScope"/> at its referenced originals.</summary>
    public abstract Task SeedPrefixAsync(string prefix);

    /// <summary>Puts the originals a garbage-collection claim took back to live, so the pool lasts.</summary>
    public abstract Task UnclaimAsync();

    /// <summary>Tables and indexes, in bytes.</summary>
    public abstract Task<long> BytesAsync();

    public abstract ValueTask DisposeAsync();

    public static Guid IdOf(long i) => Guid.ParseExact(string.Create(CultureInfo.InvariantCulture, $"{i:x12}70008000{i:x12}"), "N");

    public static byte[] ContentOf(long i) => Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"scale-original-{i}"));

    public static bool IsOrphan(long i) => i % 100 == 0;

    /// <summary>Zipf-like (density ∝ 1 / rank): a low-discrepancy fraction of i, raised to a power of 1001.</summary>
    public static string ScopeOf(long i)
    {
        var u = (i * 0.6180339887498949) - Math.Floor(i * 0.6180339887498949);
        return string.Create(CultureInfo.InvariantCulture, $"t{(int)Math.Floor(Math.Pow(1001, u)) - 1:000}");
    }

    public static string DigestHexOf(long i) => Convert.ToHexStringLower(SHA256.HashData(ContentOf(i)));
}
