using ImageDedup.AspNetCore.Serving;
using Microsoft.Extensions.Primitives;

namespace ImageDedup.AspNetCore.Tests;

/// <summary>The package's own <c>Range</c> resolver (the framework's is internal), case by case against RFC 9110 §14.</summary>
public class RangeRequestTests
{
    [Theory]
    [InlineData("bytes=0-0", 0, 1)]
    [InlineData("bytes=0-99", 0, 100)]
    [InlineData("bytes=10-", 10, 90)]
    [InlineData("bytes=99-", 99, 1)]
    [InlineData("bytes=50-1000", 50, 50)]
    [InlineData("bytes=-1", 99, 1)]
    [InlineData("bytes=-100", 0, 100)]
    [InlineData("bytes=-5000", 0, 100)]
    [InlineData("BYTES=1-2", 1, 2)]
    [InlineData("bytes = 1-2", 1, 2)]
    public void A_single_satisfiable_range_resolves_to_its_bytes(string header, long offset, long length)
        => Assert.Equal(new RangeRequest(RangeKind.Partial, offset, length), RangeRequest.Resolve(header, 100));

    [Theory]
    [InlineData("bytes=100-")]
    [InlineData("bytes=100-200")]
    [InlineData("bytes=-0")]
    public void A_range_past_the_end_is_not_satisfiable(string header)
        => Assert.Equal(RangeKind.NotSatisfiable, RangeRequest.Resolve(header, 100).Kind);

    [Theory]
    [InlineData("")]
    [InlineData("bytes=")]
    [InlineData("bytes=5-2")]
    [InlineData("bytes=a-b")]
    [InlineData("bytes=0-1,5-6")]
    [InlineData("items=0-1")]
    [InlineData("bytes=--1")]
    public void Anything_else_serves_the_whole_original(string header)
        => Assert.Equal(RangeKind.Whole, RangeRequest.Resolve(header, 100).Kind);

    [Fact]
    public void Two_range_headers_serve_the_whole_original()
        => Assert.Equal(RangeKind.Whole, RangeRequest.Resolve(new StringValues(["bytes=0-1", "bytes=2-3"]), 100).Kind);

    [Fact]
    public void No_range_header_serves_the_whole_original()
        => Assert.Equal(RangeKind.Whole, RangeRequest.Resolve(StringValues.Empty, 100).Kind);
}
