using ImageDedup.Shared;

namespace ImageDedup.Engine;

/// <summary>
/// The checks of who and why (<see cref="PurgeRequest"/>, <see cref="BlockRequest"/>), made before
/// anything is read: the audit trail and the block entry must never be written without them.
/// </summary>
internal static class TakedownRequestRules
{
    public static void Validate(PurgeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Validate(request.RequestedBy, request.Reason, nameof(PurgeRequest), nameof(request));
    }

    public static void Validate(BlockRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Validate(request.RequestedBy, request.Reason, nameof(BlockRequest), nameof(request));
    }

    public static void ValidateDigest(ContentDigest digest)
    {
        if (digest.IsEmpty)
        {
            throw new ArgumentException("The digest is empty.", nameof(digest));
        }
    }

    private static void Validate(string requestedBy, string reason, string type, string paramName)
    {
        // Who is a name for a log line and a column: one line of printable text. Why may be prose.
        if (string.IsNullOrWhiteSpace(requestedBy) || requestedBy.Length > ImageDedupLimits.MaxRequestedByLength
            || requestedBy.Any(char.IsControl) || !Utf16Text.IsWellFormed(requestedBy))
        {
            throw new ArgumentException(
                $"{type}.RequestedBy must be 1 to {ImageDedupLimits.MaxRequestedByLength} characters of well-formed UTF-16 without control characters.", paramName);
        }

        if (string.IsNullOrWhiteSpace(reason) || reason.Length > ImageDedupLimits.MaxReasonLength || !Utf16Text.IsWellFormed(reason))
        {
            throw new ArgumentException($"{type}.Reason must be 1 to {ImageDedupLimits.MaxReasonLength} characters of well-formed UTF-16.", paramName);
        }
    }
}
