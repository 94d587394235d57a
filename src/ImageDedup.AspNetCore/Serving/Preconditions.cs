using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Headers;
using Microsoft.Net.Http.Headers;

namespace ImageDedup.AspNetCore.Serving;

/// <summary>The outcome of a request's preconditions.</summary>
internal enum PreconditionOutcome
{
    /// <summary>Serve the original.</summary>
    Proceed,

    /// <summary>The client's copy is current: 304.</summary>
    NotModified,

    /// <summary>An <c>If-Match</c> or <c>If-Unmodified-Since</c> failed: 412.</summary>
    Failed,
}

/// <summary>
/// The conditional headers of a GET or HEAD, evaluated in the order of RFC 9110 §13.2.2 against
/// an original's strong validator (its digest) and its creation time. The header parsing and the
/// entity-tag comparisons are the framework's.
/// </summary>
internal static class Preconditions
{
    public static PreconditionOutcome Evaluate(RequestHeaders headers, EntityTagHeaderValue etag, DateTimeOffset lastModified)
    {
        var ifMatch = headers.IfMatch;
        if (ifMatch.Count > 0)
        {
            if (!ifMatch.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(etag, useStrongComparison: true)))
            {
                return PreconditionOutcome.Failed;
            }
        }
        else if (headers.IfUnmodifiedSince is { } unmodifiedSince && lastModified > unmodifiedSince)
        {
            return PreconditionOutcome.Failed;
        }

        var ifNoneMatch = headers.IfNoneMatch;
        if (ifNoneMatch.Count > 0)
        {
            return ifNoneMatch.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(etag, useStrongComparison: false))
                ? PreconditionOutcome.NotModified
                : PreconditionOutcome.Proceed;
        }

        return headers.IfModifiedSince is { } modifiedSince && lastModified <= modifiedSince
            ? PreconditionOutcome.NotModified
            : PreconditionOutcome.Proceed;
    }

    /// <summary>
    /// Whether a <c>Range</c> applies: without <c>If-Range</c> always; with one only when it names
    /// this representation, by a strong entity tag or by exactly its <c>Last-Modified</c>.
    /// </summary>
    public static bool RangeApplies(HttpRequest request, RequestHeaders headers, EntityTagHeaderValue etag, DateTimeOffset lastModified)
    {
        if (request.Headers.IfRange.Count == 0)
        {
            return true;
        }

        var condition = headers.IfRange;
        if (condition?.EntityTag is { } tag)
        {
            return tag.Compare(etag, useStrongComparison: true);
        }

        return condition?.LastModified is { } date && date == lastModified;
    }
}
