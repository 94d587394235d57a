using Microsoft.Extensions.Logging;

namespace ImageDedup.AspNetCore;

/// <summary>The package's log messages.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Error, "Original {OriginalId} of scope '{Scope}' is live but its bytes cannot be read")]
    public static partial void OriginalUnreadable(ILogger logger, Guid originalId, string scope, Exception exception);

    [LoggerMessage(2, LogLevel.Debug, "The client went away while original {OriginalId} was being sent")]
    public static partial void ReadAborted(ILogger logger, Guid originalId);

    [LoggerMessage(3, LogLevel.Information, "Upload refused with {Status}: {Reason}")]
    public static partial void UploadRefused(ILogger logger, int status, string reason);

    [LoggerMessage(4, LogLevel.Debug, "The client went away mid-upload; the ingest was cancelled and left nothing")]
    public static partial void UploadAborted(ILogger logger);

    [LoggerMessage(5, LogLevel.Debug, "Stored upload as original {OriginalId} ({Length} bytes, new bytes: {StoredNewBytes})")]
    public static partial void UploadStored(ILogger logger, Guid originalId, long length, bool storedNewBytes);

    [LoggerMessage(6, LogLevel.Warning, "The request body limit could not be raised to {Limit} bytes: the body is already being read")]
    public static partial void BodyLimitReadOnly(ILogger logger, long limit);
}
