using System.Security.Cryptography;

namespace ImageDedup.Abstractions.Tests;

public class ContentDigestTests
{
    private const string Hex = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    [Theory]
    [InlineData("sha256:" + Hex)]
    [InlineData(Hex)]
    [InlineData("SHA256:9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08")]
    public void Parses_prefixed_bare_and_uppercase_hex_to_the_canonical_form(string text)
    {
        var digest = ContentDigest.Parse(text);

        Assert.Equal("sha256:" + Hex, digest.ToString());
        Assert.Equal("sha256", digest.Algorithm);
        Assert.Equal(Hex, digest.Hex);
    }

    [Theory]
    [InlineData("")]
    [InlineData("sha256:")]
    [InlineData("sha256:abc")]
    [InlineData("md5:" + Hex)]
    [InlineData("sha256:" + Hex + "00")]
    [InlineData("sha256:9g86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")]
    [InlineData(" sha256:" + Hex)]
    [InlineData("sha256: " + Hex)]
    public void Rejects_anything_else_with_FormatException(string text)
    {
        Assert.Throws<FormatException>(() => ContentDigest.Parse(text));
        Assert.False(ContentDigest.TryParse(text, out _));
    }

    [Fact]
    public void Null_is_an_argument_error()
    {
        Assert.Throws<ArgumentNullException>(() => ContentDigest.Parse(null!));
        Assert.False(ContentDigest.TryParse((string?)null, out _));
    }

    [Fact]
    public void From_sha256_round_trips_through_the_raw_bytes()
    {
        var hash = SHA256.HashData("test"u8);

        var digest = ContentDigest.FromSha256(hash);
        var bytes = new byte[32];
        var written = digest.CopyBytesTo(bytes);

        Assert.Equal("sha256:" + Hex, digest.ToString());
        Assert.Equal(32, written);
        Assert.Equal(hash, bytes);
        Assert.Throws<ArgumentException>(() => ContentDigest.FromSha256(hash.AsSpan(1)));
    }

    [Fact]
    public void Equality_is_by_value_and_the_default_is_empty()
    {
        Assert.Equal(ContentDigest.Parse(Hex), ContentDigest.Parse("sha256:" + Hex.ToUpperInvariant()));
        Assert.True(ContentDigest.Parse(Hex) == ContentDigest.Parse(Hex));
        Assert.NotEqual(ContentDigest.Parse(Hex), default);
        Assert.True(default(ContentDigest).IsEmpty);
        Assert.Equal(string.Empty, default(ContentDigest).ToString());
        Assert.Throws<InvalidOperationException>(() => default(ContentDigest).Hex);
    }
}
