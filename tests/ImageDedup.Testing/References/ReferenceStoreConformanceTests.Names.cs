using CsCheck;
using ImageDedup.Storage;
using ImageDedup.Testing.Content;
using Xunit;

namespace ImageDedup.Testing.References;

/// <summary>
/// Names (scopes, holder keys, holder prefixes) are equal exactly when their UTF-16 code units
/// are: two different well-formed names never reach each other's originals or references, and a
/// name with an unpaired surrogate, which has no UTF-8 form and so no faithful row, is refused with
/// <see cref="ArgumentException"/> and leaves nothing behind (issue 11, item 3).
/// </summary>
public abstract partial class ReferenceStoreConformanceTests
{
    /// <summary>
    /// The pieces generated names are made of: plain ASCII, a segment separator, a precomposed and a
    /// decomposed é (ordinal, never normalised), U+FFFD (what SQLite made of a lone surrogate), valid
    /// pairs, and lone high and low surrogates, which concatenated can also form a valid pair.
    /// </summary>
    private static readonly string[] NamePieces =
    [
        "a", "A", "b", " ", "/", "\u00E9", "e\u0301", "\uFFFD",
        "\uD83D\uDE00", "\uD83D\uDE01", "\uD83D", "\uDE00",
        "\uD800", "\uD801", "\uDBFF", "\uDC00", "\uDC01", "\uDFFF",
    ];

    /// <summary>How many generated pairs of names the name property tries on this store.</summary>
    protected virtual int NameCases => 100;

    [Fact]
    public async Task Holders_differing_only_in_an_unpaired_surrogate_are_refused_not_merged()
    {
        // On SQLite both were stored as "projects/1/img\uFFFD": the second add re-pointed the first.
        var store = await CreateStoreAsync();
        var first = await CreateLiveAsync(store, Scope, seed: 1, holder: null);
        var second = await CreateLiveAsync(store, Scope, seed: 2, holder: null);

        await AssertRefusedHolderAsync(store, "projects/1/img\uD800", first);
        await AssertRefusedHolderAsync(store, "projects/1/img\uD801", second);
        await AssertRefusedHolderAsync(store, "projects/1/\uDC00img", second);

        Assert.Equal(0, (await store.GetAsync(first.Id))!.ReferenceCount);
        Assert.Equal(0, (await store.GetAsync(second.Id))!.ReferenceCount);
        Assert.Equal(0, await CountHoldersAsync(store, first.Id));
        Assert.Equal(0, await CountHoldersAsync(store, second.Id));
    }

    [Fact]
    public async Task A_scope_with_an_unpaired_surrogate_is_refused_and_reaches_no_other_scope()
    {
        // On SQLite "tenant\uDC00" and "tenant\uDC01" were both the scope "tenant\uFFFD": each read,
        // found by digest and added references to the other's originals.
        var store = await CreateStoreAsync();
        var other = await CreateLiveAsync(store, "tenant\uFFFD", seed: 1, holder: "img/1");

        foreach (var scope in new[] { "tenant\uDC00", "tenant\uDC01", "tenant\uD800" })
        {
            await AssertRefusedScopeAsync(store, scope, other);
        }

        var row = await store.GetAsync(other.Id);
        Assert.Equal(1, row!.ReferenceCount);
        Assert.Equal(other.Id, (await store.FindByHolderAsync("tenant\uFFFD", "img/1"))?.Id);
        await AssertCountsMatchReferencesAsync(store, other.Id);
    }

    [Fact]
    public async Task Well_formed_surrogate_pairs_and_U_FFFD_are_names_of_their_own()
    {
        var store = await CreateStoreAsync();
        var smile = await CreateLiveAsync(store, Scope, seed: 1, holder: "img/\uD83D\uDE00");
        var grin = await CreateLiveAsync(store, Scope, seed: 2, holder: "img/\uD83D\uDE01");
        var replacement = await CreateLiveAsync(store, Scope, seed: 3, holder: "img/\uFFFD");

        Assert.Equal(smile.Id, (await store.FindByHolderAsync(Scope, "img/\uD83D\uDE00"))?.Id);
        Assert.Equal(grin.Id, (await store.FindByHolderAsync(Scope, "img/\uD83D\uDE01"))?.Id);
        Assert.Equal(replacement.Id, (await store.FindByHolderAsync(Scope, "img/\uFFFD"))?.Id);
        Assert.Equal("img/\uD83D\uDE00", Assert.Single((await store.ListHoldersAsync(smile.Id, null, 10)).Items).Holder);
        await AssertCountsMatchReferencesAsync(store, smile.Id, grin.Id, replacement.Id);
    }

    [Fact]
    public async Task Two_different_names_never_alias_and_ill_formed_ones_leave_nothing()
    {
        var store = await CreateStoreAsync();
        var cases = 0;
        // Half the pairs are independent names, half one name and the same with one piece swapped,
        // the near misses (img\uD800 and img\uD801) that used to collide.
        var pieces = Gen.OneOf(NamePieces).Array[1, 6];
        var independent = Gen.Select(pieces, pieces, (a, b) => new NamePair(string.Concat(a), string.Concat(b)));
        var nearMiss = Gen.Select(pieces, Gen.Int[0, 5], Gen.OneOf(NamePieces), (a, at, piece) =>
        {
            var b = (string[])a.Clone();
            b[at % b.Length] = piece;
            return new NamePair(string.Concat(a), string.Concat(b));
        });

        await Gen.OneOf(independent, nearMiss).SampleAsync(
            async pair =>
            {
                // Each case has originals of its own, so a failed case shrinks to what failed it.
                var i = Interlocked.Increment(ref cases);
                var (a, b) = (pair.A, pair.B);
                var x = await CreateLiveAsync(store, Scope, seed: 10_000 + (2 * i), holder: null);
                var y = await CreateLiveAsync(store, Scope, seed: 10_001 + (2 * i), holder: null);
                long xHolders = 0, yHolders = 0;

                // Holders: a at x, then b at y. Different names are different references.
                var holderA = $"p/{i}/{a}";
                var holderB = $"p/{i}/{b}";
                if (IsWellFormed(a))
                {
                    var change = await store.AddReferenceAsync(Scope, holderA, x.Id, claimIfOrphaned: false);
                    Assert.True(change.Added);
                    Assert.Null(change.Displaced);
                    xHolders++;
                }
                else
                {
                    await AssertRefusedHolderAsync(store, holderA, x);
                }

                if (a != b && IsWellFormed(b))
                {
                    var change = await store.AddReferenceAsync(Scope, holderB, y.Id, claimIfOrphaned: false);
                    Assert.True(change.Added);
                    Assert.Null(change.Displaced); // b is not a: it displaced nothing
                    yHolders++;
                    Assert.Equal(y.Id, (await store.FindByHolderAsync(Scope, holderB))?.Id);
                }
                else if (a != b)
                {
                    await AssertRefusedHolderAsync(store, holderB, y);
                }

                if (IsWellFormed(a))
                {
                    Assert.Equal(x.Id, (await store.FindByHolderAsync(Scope, holderA))?.Id);
                }

                // Prefixes: releasing b's segment releases a's holder exactly when it starts with it.
                if (IsWellFormed(a) && IsWellFormed(b))
                {
                    var nested = $"q/{i}/{a}/x";
                    await store.AddReferenceAsync(Scope, nested, x.Id, claimIfOrphaned: false);
                    var prefix = $"q/{i}/{b}/";
                    var released = (await store.ReleasePrefixBatchAsync(Scope, prefix, 10, claimIfOrphaned: false)).Released;
                    var expected = nested.StartsWith(prefix, StringComparison.Ordinal) ? 1 : 0;
                    Assert.Equal(expected, released);
                    if (expected == 0)
                    {
                        Assert.True((await store.ReleaseAsync(Scope, nested, claimIfOrphaned: false)).Released);
                    }
                }

                // Scopes: an original of scope a is invisible from scope b.
                var scopeA = $"{i}:{a}";
                var scopeB = $"{i}:{b}";
                var digest = TestImages.DigestOf(TestImages.Png(1000 + i, 64));
                var pending = new NewOriginal(Guid.NewGuid(), scopeA, digest, 64, "image/png", $"sha256/{digest.Hex}.{Guid.NewGuid():N}");
                if (!IsWellFormed(a))
                {
                    await Assert.ThrowsAsync<ArgumentException>(() => store.InsertPendingAsync(pending));
                    Assert.Null(await store.GetAsync(pending.Id));
                }
                else
                {
                    await store.InsertPendingAsync(pending);
                    var live = (await store.PromoteAsync(pending.Id, "h", claimIfOrphaned: false)).Original;
                    Assert.Equal(scopeA, live.Scope);
                    if (a != b && IsWellFormed(b))
                    {
                        Assert.Null(await store.FindLiveAsync(scopeB, digest));
                        Assert.Null(await store.FindByHolderAsync(scopeB, "h"));
                        Assert.Null(await store.TryAttachAsync(scopeB, digest, "h2", claimIfOrphaned: false));
                        await Assert.ThrowsAsync<OriginalNotFoundException>(() => store.AddReferenceAsync(scopeB, "h3", live.Id, claimIfOrphaned: false));
                        Assert.DoesNotContain((await store.ListOriginalsAsync(scopeB, null, 10)).Items, o => o.Id == live.Id);
                        Assert.Equal(0, (await store.GetStatisticsAsync(scopeB)).References);
                        Assert.Equal(1, (await store.GetAsync(live.Id))!.ReferenceCount);
                    }
                    else if (a != b)
                    {
                        await AssertRefusedScopeAsync(store, scopeB, live);
                    }
                }

                Assert.Equal(xHolders, (await store.GetAsync(x.Id))!.ReferenceCount);
                Assert.Equal(yHolders, (await store.GetAsync(y.Id))!.ReferenceCount);
                await AssertCountsMatchReferencesAsync(store, x.Id, y.Id);
            },
            iter: NameCases,
            threads: 1,
            print: pair => pair.ToString());
    }

    /// <summary>Every call that takes a holder refuses <paramref name="holder"/> and writes nothing on <paramref name="target"/>.</summary>
    private static async Task AssertRefusedHolderAsync(IReferenceStore store, string holder, Original target)
    {
        var before = (await store.GetAsync(target.Id))!;
        await Assert.ThrowsAsync<ArgumentException>(() => store.AddReferenceAsync(before.Scope, holder, target.Id, claimIfOrphaned: false));
        await Assert.ThrowsAsync<ArgumentException>(() => store.TryAttachAsync(before.Scope, target.Digest, holder, claimIfOrphaned: false));
        await Assert.ThrowsAsync<ArgumentException>(() => store.FindByHolderAsync(before.Scope, holder));
        await Assert.ThrowsAsync<ArgumentException>(() => store.ReleaseAsync(before.Scope, holder, claimIfOrphaned: false));
        await Assert.ThrowsAsync<ArgumentException>(() => store.ReleasePrefixBatchAsync(before.Scope, holder + "/", 10, claimIfOrphaned: false));

        var pending = new NewOriginal(Guid.NewGuid(), before.Scope, target.Digest, target.Length, target.ContentType, $"{target.StorageKey}.{Guid.NewGuid():N}");
        await store.InsertPendingAsync(pending);
        await Assert.ThrowsAsync<ArgumentException>(() => store.PromoteAsync(pending.Id, holder, claimIfOrphaned: false));
        Assert.Equal(OriginalState.Pending, (await store.GetAsync(pending.Id))?.State);
        Assert.True(await store.DeletePendingAsync(pending.Id));

        var after = (await store.GetAsync(target.Id))!;
        Assert.Equal(before.ReferenceCount, after.ReferenceCount);
        Assert.Equal(before.OrphanedAt, after.OrphanedAt);
    }

    /// <summary>Every call that takes a scope refuses <paramref name="scope"/> and leaves <paramref name="elsewhere"/> as it was.</summary>
    private static async Task AssertRefusedScopeAsync(IReferenceStore store, string scope, Original elsewhere)
    {
        var before = (await store.GetAsync(elsewhere.Id))!;
        var digest = elsewhere.Digest;
        var pending = new NewOriginal(Guid.NewGuid(), scope, digest, 64, "image/png", $"sha256/{digest.Hex}.{Guid.NewGuid():N}");
        await Assert.ThrowsAsync<ArgumentException>(() => store.InsertPendingAsync(pending));
        Assert.Null(await store.GetAsync(pending.Id));
        await Assert.ThrowsAsync<ArgumentException>(() => store.FindLiveAsync(scope, digest));
        await Assert.ThrowsAsync<ArgumentException>(() => store.FindByHolderAsync(scope, "h"));
        await Assert.ThrowsAsync<ArgumentException>(() => store.TryAttachAsync(scope, digest, "h2", claimIfOrphaned: false));
        await Assert.ThrowsAsync<ArgumentException>(() => store.TryAttachAsync(scope, digest, holder: null, claimIfOrphaned: false));
        await Assert.ThrowsAsync<ArgumentException>(() => store.AddReferenceAsync(scope, "h3", elsewhere.Id, claimIfOrphaned: false));
        await Assert.ThrowsAsync<ArgumentException>(() => store.ReleaseAsync(scope, "h", claimIfOrphaned: false));
        await Assert.ThrowsAsync<ArgumentException>(() => store.ReleasePrefixBatchAsync(scope, "h/", 10, claimIfOrphaned: false));
        await Assert.ThrowsAsync<ArgumentException>(() => store.ClaimOrphansAsync(scope, TimeSpan.Zero, 10));
        await Assert.ThrowsAsync<ArgumentException>(() => store.ListOriginalsAsync(scope, null, 10));
        await Assert.ThrowsAsync<ArgumentException>(() => store.GetStatisticsAsync(scope));

        var after = (await store.GetAsync(elsewhere.Id))!;
        Assert.Equal(before.State, after.State);
        Assert.Equal(before.ReferenceCount, after.ReferenceCount);
        Assert.Equal(before.OrphanedAt, after.OrphanedAt);
    }

    /// <summary>The test's own oracle, written independently of the library's check.</summary>
    private static bool IsWellFormed(string value)
    {
        for (var i = 0; i < value.Length; i += char.IsSurrogatePair(value, i) ? 2 : 1)
        {
            if (char.IsSurrogate(value[i]) && !char.IsSurrogatePair(value, i))
            {
                return false;
            }
        }

        return true;
    }

    private sealed record NamePair(string A, string B)
    {
        public override string ToString() => $"a = \"{Escape(A)}\", b = \"{Escape(B)}\"";

        private static string Escape(string value)
            => string.Concat(value.Select(c => c is >= ' ' and <= '~' ? c.ToString() : $"\\u{(int)c:X4}"));
    }
}
