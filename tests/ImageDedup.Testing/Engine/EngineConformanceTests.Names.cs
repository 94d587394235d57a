using ImageDedup.Testing.Content;
using Xunit;

namespace ImageDedup.Testing.Engine;

/// <summary>
/// Scope names, holder keys and holder prefixes with an unpaired UTF-16 surrogate are refused by
/// the engine with <see cref="ArgumentException"/> before any store sees them (issue 11, item 3):
/// SQLite stored U+FFFD in their place, so two such names were one.
/// </summary>
public abstract partial class EngineConformanceTests
{
    [Fact]
    public async Task Holders_with_an_unpaired_surrogate_are_refused_so_two_never_become_one()
    {
        var engine = CreateEngine();
        var scope = engine.DefaultScope;
        var first = TestImages.UniquePng();
        var second = TestImages.UniquePng();

        // Once, on SQLite, the second ingest silently re-pointed the first holder.
        await Assert.ThrowsAsync<ArgumentException>(() => scope.IngestAsync(new MemoryStream(first), new IngestRequest { Holder = "projects/1/img\uD800" }));
        await Assert.ThrowsAsync<ArgumentException>(() => scope.IngestAsync(new MemoryStream(second), new IngestRequest { Holder = "projects/1/img\uD801" }));
        await AssertNothingStoredAsync();

        var kept = await scope.IngestAsync(new MemoryStream(first), new IngestRequest { Holder = "projects/1/img\uFFFD" });
        await Assert.ThrowsAsync<ArgumentException>(() => scope.AddReferenceAsync(kept.Original.Id, "projects/1/img\uDC00"));
        await Assert.ThrowsAsync<ArgumentException>(() => scope.FindByHolderAsync("projects/1/img\uD800"));
        await Assert.ThrowsAsync<ArgumentException>(() => scope.ReleaseAsync("projects/1/img\uD800"));
        await Assert.ThrowsAsync<ArgumentException>(() => scope.ReleasePrefixAsync("projects/\uD800"));
        await Assert.ThrowsAsync<ArgumentException>(() => scope.ReleasePrefixAsync("projects\uDBFF/"));

        var original = await scope.GetAsync(kept.Original.Id);
        Assert.Equal(1, original!.ReferenceCount);
        Assert.Equal(kept.Original.Id, (await scope.FindByHolderAsync("projects/1/img\uFFFD"))?.Id);
        Assert.Equal(kept.Original.Id, (await scope.IngestAsync(new MemoryStream(first), new IngestRequest { Holder = "projects/1/img\uD83D\uDE00" })).Original.Id);
        Assert.Equal(2, (await scope.GetAsync(kept.Original.Id))!.ReferenceCount);
    }

    [Fact]
    public async Task A_scope_with_an_unpaired_surrogate_is_refused_so_no_tenant_reaches_another()
    {
        var engine = CreateEngine();
        var bytes = TestImages.UniquePng();
        var tenant = await engine.Scope("tenant\uFFFD").IngestAsync(new MemoryStream(bytes), new IngestRequest { Holder = "img" });

        // Once, on SQLite, "tenant\uDC01" read, found and referenced "tenant\uDC00"'s originals.
        Assert.Throws<ArgumentException>(() => engine.Scope("tenant\uDC00"));
        Assert.Throws<ArgumentException>(() => engine.Scope("tenant\uDC01"));
        Assert.Throws<ArgumentException>(() => engine.Scope("\uD800tenant"));
        await Assert.ThrowsAsync<ArgumentException>(() => engine.VerifyAsync(new VerifyOptions { Scope = "tenant\uDC01" }));

        Assert.Equal("tenant\uD83D\uDE00", engine.Scope("tenant\uD83D\uDE00").Name);
        Assert.Null(await engine.Scope("tenant\uD83D\uDE00").GetAsync(tenant.Original.Id));
        Assert.Equal(1, (await engine.Scope("tenant\uFFFD").GetAsync(tenant.Original.Id))!.ReferenceCount);
    }
}
