using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;

namespace ImageDedup.AspNetCore.Uploads;

/// <summary>
/// Whether a failure is the client going away. The body read can fail with a reset before
/// <see cref="HttpContext.RequestAborted"/> is signalled, so the token alone misses some.
/// </summary>
internal static class ClientGone
{
    public static bool Explains(HttpContext context, Exception exception) => Explains(exception, context.RequestAborted);

    public static bool Explains(Exception exception, CancellationToken requestAborted)
        => exception is OperationCanceledException or IOException
           && (requestAborted.IsCancellationRequested
               || exception is ConnectionResetException or ConnectionAbortedException
               || exception.InnerException is ConnectionResetException or ConnectionAbortedException);
}
