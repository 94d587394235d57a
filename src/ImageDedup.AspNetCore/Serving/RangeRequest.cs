using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace ImageDedup.AspNetCore.Serving;

/// <summary>What a <c>Range</c> header asks of an original of a known length.</summary>
internal enum RangeKind
{
    /// <summary>No usable range: serve the whole original (absent, malformed, another unit, or several ranges).</summary>
    Whole,

    /// <summary>One satisfiable range: serve it as 206.</summary>
    Partial,

    /// <summary>One range that starts past the end: 416.</summary>
    NotSatisfiable,
}

/// <summary>
/// The single byte range of a <c>Range</c> header (RFC 9110 §14), resolved against the original's
/// length. The framework's own resolver is internal to its static-file and seekable-stream paths,
/// which cannot serve a blob store's ranged reads.
/// </summary>
internal readonly record struct RangeRequest(RangeKind Kind, long Offset = 0, long Length = 0)
{
    public static RangeRequest Resolve(StringValues header, long length)
    {
        // Several ranges may be answered with the whole representation (RFC 9110 §14.2); so may
        // anything unparseable, which also keeps a hostile header from costing more than a parse.
        if (header.Count != 1 || !RangeHeaderValue.TryParse(header[0], out var range)
            || !string.Equals(range.Unit.Value, "bytes", StringComparison.OrdinalIgnoreCase)
            || range.Ranges.Count != 1)
        {
            return new RangeRequest(RangeKind.Whole);
        }

        var item = range.Ranges.Single();
        if (item.From is null)
        {
            // bytes=-N: the last N bytes; a suffix of zero selects nothing.
            var suffix = item.To!.Value;
            return suffix == 0
                ? new RangeRequest(RangeKind.NotSatisfiable)
                : new RangeRequest(RangeKind.Partial, Math.Max(0, length - suffix), Math.Min(suffix, length));
        }

        var first = item.From.Value;
        if (first >= length)
        {
            return new RangeRequest(RangeKind.NotSatisfiable);
        }

        var last = item.To is { } to && to < length ? to : length - 1;
        return new RangeRequest(RangeKind.Partial, first, last - first + 1);
    }
}
