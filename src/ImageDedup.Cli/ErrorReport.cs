using System.Data.Common;
using System.Text.Json;
using ImageDedup.Cli.Output;
using Microsoft.Extensions.Options;

namespace ImageDedup.Cli;

/// <summary>
/// Turns whatever ended a command into one line on stderr (or one JSON document with --json) and
/// the exit code the README documents. Stack traces are printed only for internal errors, and only
/// with --verbose.
/// </summary>
internal static class ErrorReport
{
    public static int Write(Exception exception, bool json, bool verbose)
    {
        var (exitCode, code, message) = Classify(exception);
        if (json)
        {
            Console.Error.WriteLine(JsonSerializer.Serialize(new ErrorDocument(new ErrorBody(code, message, exitCode)), ToolJson.Default.ErrorDocument));
        }
        else
        {
            Console.Error.WriteLine($"imagededup: {message}");
            if (verbose && exitCode == ExitCodes.InternalError)
            {
                Console.Error.WriteLine(exception.ToString());
            }
        }

        return exitCode;
    }

    private static (int ExitCode, string Code, string Message) Classify(Exception exception) => exception switch
    {
        CliException cli => (cli.ExitCode, cli.Code, cli.Message),
        OperationCanceledException => (ExitCodes.Interrupted, "interrupted", "interrupted; nothing half-done is left behind (reconcile removes what a crash leaves)."),
        OriginalNotFoundException e => (ExitCodes.NotFound, "original-not-found", e.Message),
        BlockedContentException e => (ExitCodes.ProblemsFound, "blocked", e.Message),
        BlobNotFoundException e => (ExitCodes.ProblemsFound, "blob-missing", $"the original's bytes are missing from the store: {e.Message}"),
        ContentIntegrityException e => (ExitCodes.ProblemsFound, "corrupt", $"the original's bytes do not match its digest: {e.Message}"),
        OptionsValidationException e => (ExitCodes.Usage, "usage", e.Message),
        ArgumentException e => (ExitCodes.Usage, "usage", e.Message),
        DbException e => (ExitCodes.StoreUnusable, "store-unusable", $"the store cannot be used: {e.Message}"),
        IOException or UnauthorizedAccessException => (ExitCodes.StoreUnusable, "store-unusable", $"the store cannot be used: {exception.Message}"),
        _ => (ExitCodes.InternalError, "internal-error", $"internal error ({exception.GetType().Name}): {exception.Message}{(exception.InnerException is { } inner ? $" ({inner.Message})" : string.Empty)}"),
    };
}
