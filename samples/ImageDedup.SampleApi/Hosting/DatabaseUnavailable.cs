using System.Net.Sockets;
using Microsoft.AspNetCore.Diagnostics;
using Npgsql;

namespace ImageDedup.SampleApi.Hosting;

/// <summary>
/// Answers 503 (ProblemDetails, <c>Retry-After</c>) when PostgreSQL cannot be reached or is
/// restarting: the request changed nothing that commits, and the same request will work once the
/// server is back. Any other failure stays a 500, so a bug is never disguised as an outage.
/// </summary>
internal sealed partial class DatabaseUnavailable(IProblemDetailsService problems, ILogger<DatabaseUnavailable> logger) : IExceptionHandler
{
    public const string ProblemType = "urn:imagededup-sample:problem:database-unavailable";

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!Explains(exception) || httpContext.Response.HasStarted)
        {
            return false;
        }

        LogUnavailable(logger, httpContext.Request.Method, httpContext.Request.Path, exception.GetBaseException().Message);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = "1";
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Type = ProblemType,
                Title = "The database is unavailable.",
                Detail = "PostgreSQL cannot be reached or is restarting; nothing was changed. Retry the request.",
            },
        });
    }

    /// <summary>Whether <paramref name="exception"/> (or one it wraps: EF Core and the stores wrap Npgsql's) says the server is out of reach.</summary>
    public static bool Explains(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case PostgresException postgres when Unavailable(postgres.SqlState):
                    return true;
                case PostgresException:
                    return false; // the server answered: a real error
                case NpgsqlException { IsTransient: true }:
                case SocketException:
                    return true;
            }
        }

        return false;
    }

    /// <summary>Connection failures (class 08), shutdown and start-up (57P01–57P03), no connection to spare (53300).</summary>
    private static bool Unavailable(string sqlState)
        => sqlState.StartsWith("08", StringComparison.Ordinal)
            || sqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.TooManyConnections;

    [LoggerMessage(1, LogLevel.Warning, "{Method} {Path}: 503, PostgreSQL is unavailable ({Reason})")]
    private static partial void LogUnavailable(ILogger logger, string method, string path, string reason);
}
