using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace ImageDedup.AspNetCore.Uploads;

/// <summary>
/// How a refused upload is answered: a status, a stable <see cref="ImageDedupProblemTypes"/> type,
/// words, and the figures a client can act on. Every <see cref="ImageDedupException"/> an ingest can
/// throw has one here (a test reflects over the Abstractions assembly to keep it so); a failure that
/// has none is the server's, and stays the host's 500.
/// </summary>
internal sealed record UploadRefusal(int Status, string Type, string Title, string? Detail, IReadOnlyDictionary<string, object?>? Extensions = null)
{
    public static UploadRefusal? For(Exception exception, long maxImageBytes) => exception switch
    {
        ContentTooLargeException or BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }
            => new(StatusCodes.Status413PayloadTooLarge, ImageDedupProblemTypes.ContentTooLarge, $"The image is larger than {maxImageBytes} bytes.", exception.Message),
        NotAnImageException => new(StatusCodes.Status415UnsupportedMediaType, ImageDedupProblemTypes.NotAnImage, "The upload is not a supported image.", exception.Message),
        EmptyContentException => new(StatusCodes.Status400BadRequest, ImageDedupProblemTypes.EmptyContent, "The upload is empty.", exception.Message),
        ImageTruncatedException => new(StatusCodes.Status400BadRequest, ImageDedupProblemTypes.TruncatedImage, "The image is cut short.", exception.Message),
        ContentIntegrityException or BadHttpRequestException => new(StatusCodes.Status400BadRequest, ImageDedupProblemTypes.IncompleteUpload, "The upload did not hold the bytes it declared.", exception.Message),
        InvalidDataException => new(StatusCodes.Status400BadRequest, ImageDedupProblemTypes.MalformedMultipart, "The multipart body is malformed or has no image part.", exception.Message),
        QuotaExceededException quota => QuotaExceeded(quota),
        BlockedContentException blocked => BlockedContent(blocked),
        _ => null,
    };

    public IResult ToResult() => Problems.Create(Status, Type, Title, Detail, Extensions);

    // The tenant's own figures, in its own unit. Not the scope's name (the exception's message has
    // it): that is the host's name for the tenant, which the client may never have been told.
    private static UploadRefusal QuotaExceeded(QuotaExceededException quota)
    {
        var unit = quota.Measure == QuotaMeasure.StoredBytes ? "bytes" : "images";
        return new(
            StatusCodes.Status403Forbidden,
            ImageDedupProblemTypes.QuotaExceeded,
            "The upload would exceed the storage quota.",
            $"{quota.Usage} of {quota.Limit} {unit} are in use; this upload needs {quota.Requested} more. Nothing was stored.",
            new Dictionary<string, object?>
            {
                ["measure"] = JsonNamingPolicy.CamelCase.ConvertName(quota.Measure.ToString()),
                ["limit"] = quota.Limit,
                ["usage"] = quota.Usage,
                ["requested"] = quota.Requested,
            });
    }

    // Only what the client sent: the digest of its own bytes. Not the entry's reason, who made it or
    // when, nor whether it is the scope's or every scope's: those are the host's audit trail.
    private static UploadRefusal BlockedContent(BlockedContentException blocked)
        => new(
            StatusCodes.Status451UnavailableForLegalReasons,
            ImageDedupProblemTypes.BlockedContent,
            "The content is blocked.",
            "This image may not be stored here. Nothing was stored.",
            blocked.Digest.IsEmpty ? null : new Dictionary<string, object?> { ["digest"] = blocked.Digest.ToString() });
}
