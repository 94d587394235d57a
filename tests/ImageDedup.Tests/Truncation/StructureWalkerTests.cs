using CsCheck;
using ImageDedup.Fuzz;
using ImageDedup.Ingest.Structure;

namespace ImageDedup.Tests.Truncation;

public class StructureWalkerTests
{
    public static TheoryData<string> Fixtures => new(FixtureImages.Names);

    public static TheoryData<string> CheckableFixtures => new(FixtureImages.Checkable);

    [Theory]
    [MemberData(nameof(CheckableFixtures))]
    public void Every_fixture_is_complete_whole_and_fed_one_byte_at_a_time(string name)
    {
        var bytes = FixtureImages.Read(name);
        var whole = StructureTarget.Walk(bytes, splitSeed: 0);
        Assert.Equal(StructureOutcome.Complete, whole?.Outcome);
        Assert.Equal(whole, StructureTarget.Walk(bytes, splitSeed: uint.MaxValue));
    }

    [Theory]
    [MemberData(nameof(CheckableFixtures))]
    public void Every_fixture_cut_after_its_header_in_the_middle_and_one_byte_short_is_truncated(string name)
    {
        var bytes = FixtureImages.Read(name);
        var end = FixtureImages.LogicalEnd(name, bytes);
        foreach (var cut in new[] { FixtureImages.HeaderCut(name, bytes), end / 2, end - 1 })
        {
            var verdict = StructureTarget.Walk(bytes.AsSpan(0, cut), splitSeed: 7);
            Assert.True(verdict?.Outcome == StructureOutcome.Truncated, $"{name} cut at {cut} of {bytes.Length}: {verdict}");
        }
    }

    [Fact]
    public void Bytes_after_the_logical_end_are_accepted()
    {
        foreach (var name in new[] { "jpeg/motion-photo-trailer.jpg", "png/padding-after-iend.png", "tiff/exif.tif" })
        {
            var bytes = FixtureImages.Read(name);
            var end = FixtureImages.LogicalEnd(name, bytes);
            Assert.True(end < bytes.Length);
            Assert.Equal(StructureOutcome.Complete, StructureTarget.Walk(bytes.AsSpan(0, end), 3)?.Outcome);
            Assert.Equal(StructureOutcome.Complete, StructureTarget.Walk(bytes.AsSpan(0, end + 1), 3)?.Outcome);
        }
    }

    [Fact]
    public void A_bare_jpeg_xl_codestream_is_reported_unchecked_never_truncated()
    {
        var bytes = FixtureImages.Read("jxl/codestream.jxl");
        Assert.Equal(StructureOutcome.Unchecked, StructureTarget.Walk(bytes, 0)?.Outcome);
        Assert.Equal(StructureOutcome.Unchecked, StructureTarget.Walk(bytes.AsSpan(0, bytes.Length / 2), 0)?.Outcome);
    }

    [Fact]
    public void Random_cuts_are_truncated_before_the_logical_end_and_complete_after_it_however_the_chunks_fall()
    {
        var names = FixtureImages.Checkable.ToArray();
        var images = names.ToDictionary(n => n, FixtureImages.Read);
        Gen.Select(Gen.Int[0, names.Length - 1], Gen.Double[0, 1], Gen.UInt).Sample((index, at, splitSeed) =>
        {
            var name = names[index];
            var bytes = images[name];
            var end = FixtureImages.LogicalEnd(name, bytes);
            var cut = 1 + (int)(at * (bytes.Length - 1));
            var verdict = StructureTarget.Walk(bytes.AsSpan(0, cut), splitSeed);
            if (verdict is null)
            {
                // Too short to recognise: the engine refuses it as not an image before any walk.
                Assert.True(cut < ImageDedup.Ingest.ImageFormats.SignatureWindow, $"{name} cut at {cut} was not recognised");
                return;
            }

            var expected = cut < end ? StructureOutcome.Truncated : StructureOutcome.Complete;
            Assert.True(verdict?.Outcome == expected, $"{name} cut at {cut} of {bytes.Length} (structure ends at {end}): {verdict}");
            Assert.Equal(verdict, StructureTarget.Walk(bytes.AsSpan(0, cut), 0));
        }, iter: 3_000);
    }

    [Fact]
    public void Hostile_declared_sizes_are_counted_never_allocated()
    {
        // Every format declaring the largest size its fields hold, with a few bytes after it.
        byte[][] hostile =
        [
            [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x7F, 0xFF, 0xFF, 0xFF, (byte)'I', (byte)'D', (byte)'A', (byte)'T', 1, 2, 3],
            [0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF, 0, 0, 0],
            "RIFF\xFF\xFF\xFF\xFFWEBPVP8 "u8.ToArray(),
            [0, 0, 0, 1, (byte)'f', (byte)'t', (byte)'y', (byte)'p', 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, (byte)'a', (byte)'v', (byte)'i', (byte)'f'],
            [0, 0, 1, 0, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
            [(byte)'I', (byte)'I', 42, 0, 0xF0, 0xFF, 0xFF, 0xFF, 0, 0],
        ];
        foreach (var bytes in hostile)
        {
            var verdict = StructureTarget.Walk(bytes, uint.MaxValue); // throws past StructureTarget.AllocationBound
            Assert.NotEqual(StructureOutcome.Complete, verdict?.Outcome);
        }
    }
}
